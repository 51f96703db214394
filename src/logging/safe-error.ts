/**
 * What may be logged, stored or served of an error: its class and a message stripped of values that
 * could be secrets. Database drivers put the SQL and its bound values in their messages (an unlock
 * secret in an INSERT), nodes echo calldata, and URLs carry API keys: redaction by field name cannot
 * catch text inside a message, so the text itself is cut down here.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return scrub(String(error));
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${name}${scrub(error.message)}`;
}

const MAX_LENGTH = 300;
/** An SQL statement at the start of a message, as Knex prefixes driver errors: `insert into … - SQLITE_BUSY: …`. */
const SQL_PREFIX = /^\s*(insert|update|delete|select|replace|with|create|alter|drop|pragma)\b[\s\S]* - (?=[^-]*$)/i;
/** 32-byte hex values: unlock secrets and private keys look like this (hashes too; in an error they are cut alike). */
const BYTES32 = /0x[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;
/** Longer hex: calldata, signed transactions. */
const LONG_HEX = /0x[0-9a-fA-F]{66,}/g;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi;

export function scrub(text: string): string {
  const cut = text
    .replace(SQL_PREFIX, '[sql omitted] - ')
    .replace(LONG_HEX, '0x[data omitted]')
    .replace(BYTES32, '0x[32 bytes omitted]')
    .replace(URL, (url) => redactUrlText(url));
  return cut.length > MAX_LENGTH ? `${cut.slice(0, MAX_LENGTH)}…` : cut;
}

/** Scheme, host and port of a URL; path, query and credentials are where keys live. */
function redactUrlText(url: string): string {
  try {
    const parsed = new globalThis.URL(url);
    const keep = parsed.pathname === '/' || parsed.pathname === '' ? '' : '/…';
    return `${parsed.protocol}//${parsed.host}${keep}`;
  } catch {
    return '[url omitted]';
  }
}
