import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';

/** A configuration problem: names the file, the field and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `a.b.c: message` lines for every failed constraint, nested fields included. */
function flatten(errors: ValidationError[], prefix = ''): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) lines.push(`${path}: ${message}`);
    lines.push(...flatten(error.children ?? [], path));
  }
  return lines;
}

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${what} ${path} does not exist: create it (see README) or pass its path`);
    throw new ConfigError(`${what} ${path} cannot be read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** plainToInstance + validateSync; throws one ConfigError listing every problem with its field path. */
export function validated<T extends object>(cls: ClassConstructor<T>, plain: unknown, source: string): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new ConfigError(`${source}: expected a JSON object at the top level`);
  }
  const instance = plainToInstance(cls, plain);
  const problems = flatten(validateSync(instance, { forbidUnknownValues: false }));
  if (problems.length > 0) {
    throw new ConfigError(`${source}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
  }
  return instance;
}

export const ADDRESS_MESSAGE = 'must be a 20-byte 0x-prefixed hex address';
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;
