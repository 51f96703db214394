import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { forgetPasswordVariables, passwordFromEnvironment, passwordVariableNames } from '../config/keystore';

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/**
 * The worker's password from MOSAIC_ADDRESS_PASSW_<address> (the variable is then deleted from
 * process.env: read once, never inherited), or a prompt when stdin is a terminal.
 */
export async function workerPassword(address: string): Promise<string> {
  const fromEnvironment = passwordFromEnvironment(address);
  forgetPasswordVariables(address);
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (process.stdin.isTTY) return promptHidden(`Password of worker ${address}: `);
  throw new Error(`no password for worker ${address}: export ${passwordVariableNames(address)[0]}=<password> (or run on a terminal to be asked)`);
}
