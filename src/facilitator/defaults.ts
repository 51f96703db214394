/**
 * Every default of the daemon's options, in one table: the config, the CLI and the tests leave a value
 * out and get it from here, resolved once (src/facilitator/resolve-options.ts), never in deeper layers.
 */
export const DEFAULTS = {
  chain: {
    /** Blocks on top of a mined transaction before its outcome counts. */
    confirmations: 0,
    /** How often entity streams poll their subgraph (polling transport). */
    pollIntervalMs: 1_000,
    /** The transaction engine and embedded indexer look at least this often, whatever the stream poll. */
    enginePollCapMs: 200,
    indexerPollCapMs: 250,
    rpcTimeoutMs: 15_000,
    /** Several RPC endpoints: one more than this many blocks behind the best is not used. */
    maxLagBlocks: 5,
    /** Several RPC (or subgraph) endpoints: each is probed this often while in use. */
    healthCheckIntervalMs: 5_000,
    /** A health probe not answered within this is a fault. */
    probeTimeoutMs: 3_000,
    /** A transaction pending this long is replaced with higher fees. */
    stuckAfterMs: 60_000,
    txType: 'auto',
  },
  policy: {
    minGasPrice: 0n,
    minGasLimit: 0n,
    /** 0.01 of the native coin. */
    minWorkerGasBalance: 10n ** 16n,
    bountyAllowanceBatch: 10n,
  },
  /** Every this often, all services re-derive their work from the database. */
  reconcileIntervalMs: 5_000,
  /** Worker balances are checked this often; below 10 × minWorkerGasBalance is warned about. */
  balanceWatchIntervalMs: 60_000,
  /** PostgreSQL (active/standby): an active silent this long is deposed and a standby takes over. */
  leaseMs: 15_000,
  /** SQLite: a holder on another host (or a reused pid) silent this long loses its lock. */
  sqliteLockStaleMs: 30_000,
} as const;
