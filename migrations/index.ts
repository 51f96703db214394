import type { Knex } from 'knex';
import * as facilitationCore from './20261123000100_facilitation_core';
import * as processLocks from './20261123000200_process_locks';

/** Every migration, in order. Listed explicitly so they load the same from src (tsx) and dist (compiled). */
export const MIGRATIONS: ReadonlyArray<[string, Knex.Migration]> = [
  ['20261123000100_facilitation_core', facilitationCore],
  ['20261123000200_process_locks', processLocks],
];
