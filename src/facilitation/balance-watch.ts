import type { FacilitationContext } from './context';

/**
 * Warns (once per worker until it recovers) when a worker's gas balance falls below `warnBelow` on
 * either chain, its OST on origin below the gateway's bounty (stakes), or its base coin on the auxiliary
 * chain below `warnBelow` plus the cogateway's bounty (redeems pay it as value): the operator must top it
 * up before the facilitator stops being able to take requests.
 */
export function startBalanceWatch(context: FacilitationContext, options: { intervalMs: number; warnBelow: bigint }): () => void {
  const low = new Set<string>();
  const check = async () => {
    const bounty = await context.origin.gateway.bounty();
    const redeemBounty = await context.auxiliary.coGateway.bounty();
    for (const [name, side] of [['origin', context.origin], ['auxiliary', context.auxiliary]] as const) {
      const gasFloor = name === 'origin' ? options.warnBelow : options.warnBelow + redeemBounty;
      for (const worker of side.engine.workers()) {
        const key = `${name}:${worker}`;
        const balance = await side.client.getBalance(worker);
        const tokens = name === 'origin' ? await context.origin.valueToken.balanceOf(worker) : undefined;
        const isLow = balance < gasFloor || (tokens !== undefined && tokens < bounty);
        if (isLow && !low.has(key)) {
          low.add(key);
          context.logger.warn(
            { chain: name, worker, balance: balance.toString(), ost: tokens?.toString(), bounty: bounty.toString(), redeemBounty: redeemBounty.toString() },
            'worker balance low: fund it (gas on both chains, OST for stake bounties on origin, base coin for redeem bounties on the auxiliary chain)',
          );
        } else if (!isLow && low.delete(key)) {
          context.logger.info({ chain: name, worker }, 'worker balance back above the warning level');
        }
      }
    }
  };
  const run = () => void check().catch((error: unknown) => context.logger.debug({ err: String(error) }, 'balance check failed'));
  run();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
