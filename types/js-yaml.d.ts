// js-yaml 4 ships no types; only the function the deployment hash needs (graph-cli dumps the manifest it uploads with it).
declare module 'js-yaml' {
  export interface DumpOptions {
    noRefs?: boolean;
    sortKeys?: boolean | ((a: string, b: string) => number);
    lineWidth?: number;
  }
  export function dump(value: unknown, options?: DumpOptions): string;
}
