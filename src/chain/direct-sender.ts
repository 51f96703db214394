import type { ChainClient, RpcReceipt } from './chain-client';
import { RevertError } from './errors';
import { LocalSigner } from './local-signer';
import { waitForReceipt } from './receipts';

export interface DirectSendRequest {
  to?: string;
  data: string;
  value?: bigint;
  gas: bigint;
  gasPrice?: bigint;
  /** Names the call in errors, e.g. `OSTComposer.requestStake`. */
  label: string;
}

/**
 * Sends transactions from one key with an in-memory nonce: for the devnet, the demo staker and tests,
 * where nothing needs to survive a restart. (The facilitator's own sends go through the persistent
 * transaction engine.) Each send is simulated with eth_call first so a revert surfaces with its reason
 * and no gas is wasted; the gas limit is explicit (eth_estimateGas can hang on ganache).
 */
export class DirectSender {
  private nextNonce: bigint | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly client: ChainClient,
    readonly signer: LocalSigner,
    private readonly defaultGasPrice = 1_000_000_000n,
  ) {}

  get address(): string {
    return this.signer.address;
  }

  /** Sends and waits for the receipt; a mined revert throws RevertError. Sends from one key are serialized. */
  send(request: DirectSendRequest): Promise<RpcReceipt> {
    const result = this.queue.then(() => this.sendNow(request));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async sendNow(request: DirectSendRequest): Promise<RpcReceipt> {
    if (request.to) {
      await this.client.call(
        { from: this.address, to: request.to, data: request.data, value: request.value, gas: request.gas },
        'latest',
        request.label,
      );
    }
    if (this.nextNonce === undefined) this.nextNonce = await this.client.getTransactionCount(this.address, 'pending');
    const nonce = this.nextNonce;
    const signed = this.signer.sign(
      {
        nonce,
        gasPrice: request.gasPrice ?? this.defaultGasPrice,
        gasLimit: request.gas,
        to: request.to,
        value: request.value,
        data: request.data,
      },
      this.client.chainId,
    );
    try {
      await this.client.sendRawTransaction(signed.raw);
    } catch (error) {
      this.nextNonce = undefined; // re-read the nonce next time: the node may disagree with us
      if (error instanceof Error && /revert/i.test(error.message)) {
        throw new RevertError(request.label, /revert\s+(.+)$/.exec(error.message)?.[1], { cause: error });
      }
      throw error;
    }
    this.nextNonce = nonce + 1n;
    const receipt = await waitForReceipt(this.client, signed.hash);
    if (receipt.status !== '0x1') throw new RevertError(request.label, undefined);
    return receipt;
  }
}
