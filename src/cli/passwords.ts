import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { DatabaseSettings } from '../config/facilitator-config';
import { forgetPasswordVariables, passwordFromEnvironment, passwordVariableNames } from '../config/keystore';
import { DB_PASSWORD_ENV, urlHasPassword, type DatabaseTarget } from '../db/database-target';
import { redactUrl } from '../logging/redact-url';

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

/** Read once per process: a second database open (status after start) must not prompt again. */
let databasePasswordRead: string | undefined;

/**
 * The PostgreSQL password when the URL has none: MOSAIC_DB_PASSWORD (deleted from process.env once
 * read, never inherited by child processes), or a prompt when stdin is a terminal. Undefined when the
 * URL carries its own, or the server needs none (trust, peer).
 */
export async function databasePassword(url: string, options: { required?: boolean } = {}): Promise<string | undefined> {
  if (urlHasPassword(url)) return undefined;
  const fromEnvironment = process.env[DB_PASSWORD_ENV];
  delete process.env[DB_PASSWORD_ENV];
  databasePasswordRead = fromEnvironment ?? databasePasswordRead;
  if (databasePasswordRead !== undefined) return databasePasswordRead;
  if (process.stdin.isTTY) return (databasePasswordRead = await promptHidden(`Password of the database ${redactUrl(url)}: `));
  if (options.required) throw new Error(`no password for the database ${redactUrl(url)}: export ${DB_PASSWORD_ENV}=<password> (or run on a terminal to be asked)`);
  return undefined;
}

/** Where the config's database is, with its password resolved (see databasePassword). */
export async function databaseTargetOf(settings: DatabaseSettings): Promise<DatabaseTarget> {
  if (settings.client === 'postgres' && settings.url !== undefined) {
    return { client: 'postgres', url: settings.url, password: await databasePassword(settings.url) };
  }
  return { client: 'sqlite', path: settings.path! };
}
