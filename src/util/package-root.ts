import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The folder holding this package's package.json, whether running from src/ (tsx) or dist/src/ (compiled). */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'graphql'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the facilitator package root above ${__dirname}`);
    dir = parent;
  }
}
