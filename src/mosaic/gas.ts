/**
 * Gas limits sent with each Mosaic call: explicit, so a send costs no eth_estimateGas round trip and the
 * simulation (eth_call) runs with the same limit. Each is the gas seen on the devnet (shared/DESIGN.md §4)
 * with a margin of about 50%.
 */
export const GAS_LIMITS = {
  approve: 80_000n,
  requestStake: 1_200_000n,
  acceptStakeRequest: 600_000n,
  anchorStateRoot: 150_000n,
  proveGateway: 600_000n,
  confirmStakeIntent: 800_000n,
  progressStake: 200_000n,
  progressMint: 250_000n,
  deploy: 7_000_000n,
  default: 500_000n,
} as const;
