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
  // Redeem side, seen on the devnet: wrap 55k, first requestRedeem 626k (creates the RedeemerProxy),
  // later 98k, acceptRedeemRequest 353-364k, confirmRedeemIntent 462-471k, progressRedeem 73k,
  // progressUnstake 95k (proveGateway on origin 294-311k).
  wrap: 100_000n,
  requestRedeem: 1_000_000n,
  acceptRedeemRequest: 600_000n,
  confirmRedeemIntent: 800_000n,
  progressRedeem: 150_000n,
  progressUnstake: 150_000n,
  deploy: 7_000_000n,
  default: 500_000n,
} as const;
