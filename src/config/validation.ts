import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { ValidateBy, validateSync, type ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';
import { toChecksumAddress } from 'web3-utils';
import { ConfigError } from '../errors';
import { redactUrl } from '../logging/redact-url';

/** A configuration problem names the file, the field and what is expected (one class for the whole program). */
export { ConfigError };

export const ADDRESS_MESSAGE = 'must be a 20-byte 0x-prefixed hex address';
export const BAD_CHECKSUM_MESSAGE = 'has a bad EIP-55 checksum (its mixed case does not match the address): copy it again, or write it all lowercase';
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/**
 * A 20-byte hex address whose case is either uniform (no checksum) or its EIP-55 checksum: a mixed
 * case that does not match is a mistyped address, refused rather than used.
 */
export function isAddress(value: unknown): value is string {
  if (typeof value !== 'string' || !ADDRESS_PATTERN.test(value)) return false;
  const hex = value.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return true;
  return toChecksumAddress(value) === value;
}

/** What is wrong with a value that is not an address (see isAddress), e.g. for `field: <message>`. */
export function addressMessage(value: unknown): string {
  return typeof value === 'string' && ADDRESS_PATTERN.test(value) ? BAD_CHECKSUM_MESSAGE : ADDRESS_MESSAGE;
}

/** Addresses are compared and stored lowercase everywhere in the facilitator. */
export function normalizeAddress(address: string): string {
  return address.toLowerCase();
}

/** class-validator decorator for one address field. */
export const IsAddress = (): PropertyDecorator =>
  ValidateBy({ name: 'isAddress', validator: { validate: (value) => isAddress(value), defaultMessage: (args) => addressMessage(args?.value) } });

/** Shows a bad value in an error, short, and only when it is a plain scalar (never objects such as keystores). */
export function shown(value: unknown): string {
  // A mistyped RPC or subgraph URL may still carry its API key: shown redacted.
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = redactUrl(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 70 ? `${value.slice(0, 67)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * Collects every problem of one file as `field.path: what is expected` and throws them together,
 * so an operator fixes a config in one pass instead of one error per run.
 */
export class Problems {
  private readonly lines: string[] = [];

  add(path: string, message: string): void {
    this.lines.push(path ? `${path}: ${message}` : message);
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** Adds class-validator errors, each field prefixed with `prefix` (e.g. `chains.1405`). */
  addValidationErrors(errors: ValidationError[], prefix: string): void {
    for (const error of errors) {
      const path = prefix ? `${prefix}.${error.property}` : error.property;
      const messages = Object.entries(error.constraints ?? {});
      if (messages.length > 0) {
        if (error.value === undefined) {
          // One line per missing field. Decorators register bottom-up, so the last constraint is the
          // topmost decorator: the one that says what the field is.
          const expected = messages.filter(([name]) => name !== 'whitelistValidation').pop()?.[1];
          this.add(path, `is missing${expected ? ` (${expected})` : ''}`);
        } else {
          for (const [name, message] of messages) {
            this.add(path, name === 'whitelistValidation' ? 'is not a known field (a typo?)' : `${message} (got ${shown(error.value)})`);
          }
        }
      }
      this.addValidationErrors(error.children ?? [], path);
    }
  }

  throwIfAny(source: string): void {
    if (this.lines.length === 0) return;
    if (this.lines.length === 1) throw new ConfigError(`${source}: ${this.lines[0]}`);
    throw new ConfigError(`${source}: ${this.lines.length} problems:\n  ${this.lines.join('\n  ')}`);
  }
}

/** Reads and parses a JSON file; each failure is one line naming the file. `what` is e.g. "facilitator-config". */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${what} ${path} does not exist: create it (see README) or pass its path`);
    if (code === 'EISDIR') throw new ConfigError(`${what} ${path} is a folder, not a file`);
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(`${what} ${path} cannot be read: permission denied (${code})`);
    throw new ConfigError(`${what} ${path} cannot be read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ConfigError(`${what} ${path} is not valid JSON: ${reason}`);
  }
}

export interface ValidateOptions {
  /** Field path of `plain` inside its file, prefixed to every problem (e.g. `auxiliaryChains.1405`). */
  path?: string;
  /** Report fields that the class does not declare (typos in optional settings would otherwise be ignored). */
  forbidUnknown?: boolean;
}

/**
 * plainToInstance + validateSync of one object; its problems go to `problems` with their full field path.
 * Returns the instance (possibly invalid when problems were added), or undefined when `plain` is not an object.
 */
export function validateInto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  problems: Problems,
  options: ValidateOptions = {},
): T | undefined {
  const path = options.path ?? '';
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    problems.add(path, plain === undefined ? 'is missing (expected a JSON object)' : `must be a JSON object (got ${shown(plain)})`);
    return undefined;
  }
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, {
    forbidUnknownValues: false,
    whitelist: options.forbidUnknown === true,
    forbidNonWhitelisted: options.forbidUnknown === true,
  });
  problems.addValidationErrors(errors, path);
  return instance;
}

/** Validates one object and throws a ConfigError naming `source` and every bad field. */
export function validated<T extends object>(cls: ClassConstructor<T>, plain: unknown, source: string, options: ValidateOptions = {}): T {
  const problems = new Problems();
  const instance = validateInto(cls, plain, problems, options);
  problems.throwIfAny(source);
  return instance!;
}
