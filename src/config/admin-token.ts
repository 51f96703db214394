import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors/user-errors';
import { writeSecretFile } from './secret-file';

/**
 * The admin API's bearer token: 32 random bytes in hex, in a 0600 file beside the facilitator-config
 * (`init` and `dev` write it; `start` writes one when it is missing). Whoever can read the file may
 * retry, abandon and resync: the file is the credential, the token is never logged.
 */
export const ADMIN_TOKEN_FILE = 'admin-token';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Where the token of a facilitator-config lives: `admin-token` in the config's folder. */
export function adminTokenPath(facilitatorConfigPath: string): string {
  return join(dirname(facilitatorConfigPath), ADMIN_TOKEN_FILE);
}

/** Writes a new token at `path` (0600, replacing any), and returns it. */
export function createAdminToken(path: string): string {
  const token = randomBytes(32).toString('hex');
  writeSecretFile(path, `${token}\n`);
  return token;
}

/**
 * The token at `path`. A file others may read (group or world bits) is refused, as is one that holds no
 * token; both in one line naming the file and the fix, never its content.
 */
export function readAdminToken(path: string): string {
  if (!existsSync(path)) {
    throw new ConfigError(`no admin token at ${path}: \`facilitator start\` writes one beside its facilitator-config (so do \`init\` and \`dev\`)`);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`admin token ${path} may be read by others (mode 0${mode.toString(8)}): \`chmod 600 ${path}\`, or delete it and a new one is written at the next start`);
  }
  const token = readFileSync(path, 'utf8').trim();
  if (!TOKEN_PATTERN.test(token)) throw new ConfigError(`admin token ${path} holds no token (64 hex characters): delete it, and a new one is written at the next start`);
  return token;
}

/** The token at `path`, written first when there is none (`created` then true). */
export function ensureAdminToken(path: string): { token: string; created: boolean } {
  if (existsSync(path)) return { token: readAdminToken(path), created: false };
  return { token: createAdminToken(path), created: true };
}

/**
 * Whether `presented` is the token, in constant time: both are hashed first, so neither the length nor
 * the first differing byte shows in the time taken.
 */
export function isAdminToken(presented: string, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(token));
}
