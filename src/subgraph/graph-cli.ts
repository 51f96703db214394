import { spawn } from 'node:child_process';
import { environmentWithoutPasswords } from '../config/keystore';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs the pinned @graphprotocol/graph-cli (a dev dependency) as a child process, offline. */

export class GraphCliError extends Error {
  override name = 'GraphCliError';

  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface GraphCliResult {
  /** stdout and stderr together, colors stripped. */
  output: string;
}

export interface RunGraphCliOptions {
  cwd: string;
  timeoutMs?: number;
}

/** The graph-cli entry script (bin/run.js), resolved from this package's dependencies. */
export function graphCliEntry(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('@graphprotocol/graph-cli/package.json');
  } catch (error) {
    throw new Error('@graphprotocol/graph-cli is not installed: install the facilitator with its dev dependencies to build subgraphs', { cause: error });
  }
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(packageJson), bin.graph);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Arguments safe to keep in an error: values of secret flags replaced. */
function redacted(args: readonly string[]): string[] {
  return args.map((arg, i) => (i > 0 && args[i - 1] === '--deploy-key' ? '[redacted]' : arg));
}

/** The last lines of graph-cli's output that say something: no stack frames, spinner steps or migrations. */
function summary(text: string, lines: number): string {
  const useful = text.split('\n').filter((line) => line.trim() !== '' && !/^\s+at |^- |Skip migration/.test(line));
  return useful.slice(-lines).join('\n');
}

export function runGraphCli(args: readonly string[], options: RunGraphCliOptions): Promise<GraphCliResult> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [graphCliEntry(), ...args], {
      cwd: options.cwd,
      // graph-cli needs no worker password: none is passed on.
      env: { ...environmentWithoutPasswords(), GRAPH_SKIP_NEW_VERSION_CHECK: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new GraphCliError(`graph ${args[0]} could not start: ${error.message}`, redacted(args), null, output));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const clean = output.replace(ANSI, '');
      if (code === 0) return resolve({ output: clean });
      const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, timeout ${timeoutMs} ms` : ''})` : `exited with code ${code}`;
      reject(new GraphCliError(`graph ${args[0]} ${why}:\n${summary(clean, 25)}`, redacted(args), code, clean));
    });
  });
}
