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
    /**
     * The transaction engine and embedded indexer look at least this often, whatever the stream poll; and
     * this often when built without a poll interval (tests, tools).
     */
    enginePollCapMs: 200,
    indexerPollCapMs: 250,
    /** Largest eth_getLogs block range the embedded indexer asks for (it shrinks on a provider's range error). */
    indexerMaxLogRange: 2_000,
    /**
     * Worker threads the embedded indexer maps catch-up chunks of ≥ 16,384 logs on (parallel-runner.ts),
     * per indexed chain, besides the indexing thread, which maps too (0: it maps everything). Started by
     * such a chunk, stopped after indexerWorkerIdleMs idle; each costs ~20 MB of resident memory while
     * alive and ~100 ms of CPU to start and warm up. None by default: on two shared cores they did not
     * pay (10,000 events: 0.53 s without, 0.66 s with one; 100,000 mapped: 1.0 s without, 1.14 s with
     * one). Worth trying with cores to spare. Realtime blocks never use them.
     */
    indexerMappingWorkers: 0,
    indexerWorkerIdleMs: 30_000,
    /** Longest wait between two looks for a receipt (the first is at once, then 5 ms, doubling up to this). */
    receiptPollMs: 250,
    rpcTimeoutMs: 15_000,
    /** Several RPC endpoints: one more than this many blocks behind the best is not used. */
    maxLagBlocks: 5,
    /** Several RPC (or subgraph) endpoints: each is probed this often while in use. */
    healthCheckIntervalMs: 5_000,
    /** A health probe not answered within this is a fault. */
    probeTimeoutMs: 3_000,
    /** A transaction pending this long is replaced with higher fees. */
    stuckAfterMs: 60_000,
    /**
     * Transactions of one worker sent and not final, at most: geth's (and erigon's) pools guarantee an
     * account 16 executable slots; beyond that a busy pool may drop them. More throughput: more workers.
     */
    maxInFlightPerWorker: 16,
    txType: 'auto',
  },
  policy: {
    minGasPrice: 0n,
    minGasLimit: 0n,
    /** 0.01 of the native coin. */
    minWorkerGasBalance: 10n ** 16n,
    /**
     * Bounties one approve to the composer covers ahead of a worker's accepts. The composer pulls a bounty
     * only from the worker whose accept calls it; 10 made a burst of 25 accepts per worker wait for an
     * approve to be mined (`npm run bench latency`, 50 concurrent: 2.02 s → 1.91 s wall with 100).
     */
    bountyAllowanceBatch: 100n,
  },
  /**
   * Accept only requests whose reward covers the flow's gas (facilitation.profitability; off unless
   * enabled). There is no default exchange rate between the origin coin and the value token: the operator
   * names it (ostPerEth), as no default could be right.
   */
  profitability: {
    /** The reward must be at least the expected cost × this / 100. */
    marginPercent: 120n,
    /**
     * Gas of the whole flow per direction and chain, the measured receipts rounded up by ~10% (the proof's
     * size grows with the gateway's storage). Measured on the devnet (Mosaic 0.12 bytecode, anvil) with
     * `npx tsx bench/flow-gas.ts`, the second flow of each kind:
     * stake  origin    acceptStakeRequest 362,204 + progressStake 75,843                              = 438,047
     *        auxiliary proveGateway 321,556 + confirmStakeIntent 492,282 + progressMint 98,005       = 911,843
     * redeem origin    proveCoGateway 295,467 + confirmRedeemIntent 462,388 + progressUnstake 94,993 = 852,848
     *        auxiliary acceptRedeemRequest 352,726 + progressRedeem 72,904                           = 425,630
     * A proof serves every message declared below its height, so counting a whole one per request is the
     * cautious side; the bounty allowance's approve (one per bountyAllowanceBatch accepts) is left out.
     */
    gas: {
      STAKE: { origin: 480_000n, auxiliary: 1_000_000n },
      REDEEM: { origin: 940_000n, auxiliary: 470_000n },
    },
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
