import type { ChainClient, RpcReceipt } from './chain-client';
import { RetryableError } from '../errors/facilitator-error';
import { RevertError } from './errors';
import { ExecutionRevertedError } from './node-errors';
import { FeeOracle } from './fees';
import { LocalSigner } from './local-signer';
import { waitForReceipt } from './receipts';

export interface DirectSendRequest {
  to?: string;
  data: string;
  value?: bigint;
  gas: bigint;
  /** Names the call in errors, e.g. `OSTComposer.requestStake`. */
  label: string;
}

/**
 * Sends transactions from one key with an in-memory nonce: for the devnet, the demo staker, benches and
 * tests, where nothing needs to survive a restart. (The facilitator's own sends go through the persistent
 * transaction engine.) Each send is simulated with eth_call first so a revert surfaces with its reason
 * and no gas is wasted; fees come from the node (type 2 where blocks carry a base fee).
 * Concurrent sends are pipelined: nonces are assigned and broadcast in call order, receipts awaited together.
 */
export class DirectSender {
  private nextNonce: bigint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly fees: FeeOracle;

  constructor(
    readonly client: ChainClient,
    readonly signer: LocalSigner,
    fees?: FeeOracle,
  ) {
    this.fees = fees ?? new FeeOracle(client);
  }

  get address(): string {
    return this.signer.address;
  }

  /** Sends and waits for the receipt; a mined revert throws RevertError. */
  async send(request: DirectSendRequest): Promise<RpcReceipt> {
    const broadcast = this.queue.then(() => this.broadcast(request));
    this.queue = broadcast.catch(() => undefined);
    const hash = await broadcast;
    const receipt = await waitForReceipt(this.client, hash);
    if (receipt.status !== '0x1') throw new RevertError(request.label, undefined);
    return receipt;
  }

  private async broadcast(request: DirectSendRequest): Promise<string> {
    if (request.to) {
      await this.client.call(
        { from: this.address, to: request.to, data: request.data, value: request.value, gas: request.gas },
        'latest',
        request.label,
      );
    }
    const quote = await this.fees.quote();
    if ('waiting' in quote) throw new RetryableError(`${request.label}: fees above the cap (${quote.waiting.neededPerGas} > ${quote.waiting.capPerGas} wei per gas)`);
    if (this.nextNonce === undefined) this.nextNonce = await this.client.getTransactionCount(this.address, 'pending');
    const nonce = this.nextNonce;
    const signed = this.signer.sign(
      { nonce, fees: quote.fees, gasLimit: request.gas, to: request.to, value: request.value, data: request.data },
      this.client.chainId,
    );
    try {
      await this.client.sendRawTransaction(signed.raw);
    } catch (error) {
      this.nextNonce = undefined; // re-read the nonce next time: the node may disagree with us
      if (error instanceof ExecutionRevertedError) throw new RevertError(request.label, error.reason, { cause: error });
      throw error;
    }
    this.nextNonce = nonce + 1n;
    return signed.hash;
  }
}
