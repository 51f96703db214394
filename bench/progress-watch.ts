import type { ChainClient } from '../src/chain/chain-client';
import type { Devnet } from '../src/devnet/devnet';
import { contractInterface } from '../src/mosaic/contracts';

/** Blocks scanned per eth_getLogs call. */
const LOG_RANGE = 2_000n;

/** Scans one event of one contract forward from a block, keeping a key → block map of what it saw. */
class EventScan {
  private next: bigint;
  readonly seen = new Map<string, bigint>();

  constructor(
    private readonly client: ChainClient,
    private readonly address: string,
    private readonly iface: ReturnType<typeof contractInterface>,
    private readonly event: string,
    private readonly keyOf: (args: Record<string, unknown>) => string,
    fromBlock: bigint,
  ) {
    this.next = fromBlock;
  }

  async scan(): Promise<void> {
    const head = await this.client.blockNumber();
    while (this.next <= head) {
      const to = this.next + LOG_RANGE - 1n < head ? this.next + LOG_RANGE - 1n : head;
      const logs = await this.client.getLogs({ fromBlock: this.next, toBlock: to, address: this.address, topics: [this.iface.eventTopic(this.event)] });
      for (const event of this.iface.decodeLogs(logs)) {
        const key = this.keyOf(event.args);
        if (!this.seen.has(key)) this.seen.set(key, event.blockNumber);
      }
      this.next = to + 1n;
    }
  }
}

export const stakeKey = (stakerProxy: string, nonce: bigint) => `${stakerProxy.toLowerCase()}:${nonce}`;

/** Which way the watched requests move: stake & mint (origin → auxiliary) or redeem & unstake (auxiliary → origin). */
export type WatchedDirection = 'STAKE' | 'REDEEM';

/**
 * What an independent user sees on chain, per direction: the arrival (MintProgressed on the auxiliary
 * chain, UnstakeProgressed on origin) by beneficiary, and the source side's progress (StakeProgressed on
 * origin, RedeemProgressed on the auxiliary chain) by (proxy, nonce), with the block of each. Judged
 * from chain state, never from the facilitator's own database.
 */
export class ProgressWatch {
  private readonly arrivals: EventScan;
  private readonly sourceProgress: EventScan;
  private readonly waiters = new Set<{ done: () => boolean; deadlineMs: number; resolve: (met: boolean) => void }>();
  private polling: Promise<void> | undefined;
  private scanErrors = 0;

  private constructor(
    devnet: Devnet,
    readonly direction: WatchedDirection,
    originFrom: bigint,
    auxiliaryFrom: bigint,
  ) {
    const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
    const gateway = [devnet.origin.client, pair.origin.ostEIP20GatewayAddress, contractInterface('EIP20Gateway')] as const;
    const coGateway = [devnet.auxiliary.client, pair.auxiliary.ostEIP20CogatewayAddress, contractInterface('EIP20CoGateway')] as const;
    const stake = direction === 'STAKE';
    const [arrivalSide, arrivalFrom, sourceSide, sourceFrom] = stake ? [coGateway, auxiliaryFrom, gateway, originFrom] : [gateway, originFrom, coGateway, auxiliaryFrom];
    const [arrivalEvent, sourceEvent, proxyArg, nonceArg] = stake
      ? ['MintProgressed', 'StakeProgressed', '_staker', '_stakerNonce']
      : ['UnstakeProgressed', 'RedeemProgressed', '_redeemer', '_redeemerNonce'];
    this.arrivals = new EventScan(...arrivalSide, arrivalEvent, (args) => String(args._beneficiary).toLowerCase(), arrivalFrom);
    this.sourceProgress = new EventScan(...sourceSide, sourceEvent, (args) => stakeKey(String(args[proxyArg]), BigInt(args[nonceArg] as bigint)), sourceFrom);
  }

  /** Watches from the current heads on. */
  static async start(devnet: Devnet, direction: WatchedDirection = 'STAKE'): Promise<ProgressWatch> {
    const [origin, auxiliary] = await Promise.all([devnet.origin.client.blockNumber(), devnet.auxiliary.client.blockNumber()]);
    return new ProgressWatch(devnet, direction, origin + 1n, auxiliary + 1n);
  }

  async scan(): Promise<void> {
    await Promise.all([this.arrivals.scan(), this.sourceProgress.scan()]);
  }

  /**
   * Resolves true once `done()` holds after a scan, false once `deadlineMs` (a Date.now() instant) has
   * passed. One scan loop (every `pollMs`) serves every waiter.
   */
  until(done: () => boolean, deadlineMs: number, pollMs = 100): Promise<boolean> {
    const met = new Promise<boolean>((resolve) => this.waiters.add({ done, deadlineMs, resolve }));
    this.polling ??= this.poll(pollMs).finally(() => (this.polling = undefined));
    return met;
  }

  private async poll(pollMs: number): Promise<void> {
    while (this.waiters.size > 0) {
      try {
        await this.scan();
      } catch (error) {
        if (this.scanErrors++ < 3) process.stderr.write(`[bench] log scan failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      const now = Date.now();
      for (const waiter of [...this.waiters]) {
        const met = waiter.done();
        if (met || now > waiter.deadlineMs) {
          this.waiters.delete(waiter);
          waiter.resolve(met);
        }
      }
      if (this.waiters.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Block of the MintProgressed (stake) or UnstakeProgressed (redeem) paying `beneficiary`, if seen. */
  arrivalBlock(beneficiary: string): bigint | undefined {
    return this.arrivals.seen.get(beneficiary.toLowerCase());
  }

  /** Progressed on the source side too (StakeProgressed / RedeemProgressed of the proxy's nonce). */
  sourceProgressed(proxy: string, nonce: bigint): boolean {
    return this.sourceProgress.seen.has(stakeKey(proxy, nonce));
  }
}

/** A distinct beneficiary per request, so a mint identifies its request: 0x<tag><index>, 20 bytes. */
export function beneficiaryFor(tag: number, index: number): string {
  return `0x${tag.toString(16).padStart(8, '0')}${index.toString(16).padStart(32, '0')}`;
}
