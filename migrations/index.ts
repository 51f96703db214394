import type { Knex } from 'knex';
import * as facilitationCore from './20261123000100_facilitation_core';
import * as processLocks from './20261123000200_process_locks';
import * as schemaDetails from './20261124000100_schema_details';
import * as stakeRequestClosures from './20261124000200_stake_request_closures';
import * as eip1559Fees from './20261126000100_eip1559_fees';
import * as redeemDirection from './20261127000100_redeem_direction';
import * as leaseEpoch from './20261127000200_lease_epoch';
import * as facilitationHistory from './20261127000300_facilitation_history';

/**
 * Every migration, in order. Listed explicitly (imported, not found on disk) so they load the same
 * from src under tsx and from dist after tsc: no file extensions or folders to guess.
 * Never edit a released migration: add a new one at the end.
 */
export const MIGRATIONS: ReadonlyArray<[string, Knex.Migration]> = [
  ['20261123000100_facilitation_core', facilitationCore],
  ['20261123000200_process_locks', processLocks],
  ['20261124000100_schema_details', schemaDetails],
  ['20261124000200_stake_request_closures', stakeRequestClosures],
  ['20261126000100_eip1559_fees', eip1559Fees],
  ['20261127000100_redeem_direction', redeemDirection],
  ['20261127000200_lease_epoch', leaseEpoch],
  ['20261127000300_facilitation_history', facilitationHistory],
];
