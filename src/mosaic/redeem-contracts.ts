import type { BlockTag, ChainClient } from '../chain/chain-client';
import { DeployedContract, type ContractCall } from './contracts';
import { GAS_LIMITS } from './gas';

const ZERO_BYTES32 = `0x${'0'.repeat(64)}`;

/** A redeem request as RedeemPool.requestRedeem takes it (the redeemer is the sender). */
export interface RedeemRequestParams {
  /** OSTPrime (wei) to redeem; must exceed gasPrice × gasLimit for a worker to accept it. */
  amount: bigint;
  /** Receiver of the unstaked OST on origin. */
  beneficiary: string;
  /** Reward rate, in OST base units per gas, that the redeemer pays the facilitator on origin. */
  gasPrice: bigint;
  gasLimit: bigint;
  /** The cogateway's nonce of the redeemer's RedeemerProxy (0 before the proxy exists). */
  nonce: bigint;
  cogateway: string;
}

/** A pending request as a worker names it: the request plus the redeemer who made it. */
export interface PendingRedeemRequest extends RedeemRequestParams {
  redeemer: string;
}

/**
 * RedeemPool (auxiliary): redeemers request, whitelisted workers accept (paying the cogateway's bounty
 * in base coin) or reject, redeemers revoke. The pool holds the OSTPrime of open requests.
 * 0.12 keeps no `redeemRequests(hash)` mapping: a request is open while `redeemRequestHashes(redeemer,
 * cogateway)` holds its hash (one open request per redeemer and cogateway).
 */
export class RedeemPool extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'RedeemPool');
  }
  async organization(): Promise<string> {
    return this.readAddress('organization');
  }
  /** The EIP-712 type hash of a redeem request: a constant only the RedeemPool has (see REDEEM_REQUEST_TYPEHASH). */
  async redeemRequestTypeHash(): Promise<string> {
    return this.readBytes32('REDEEMREQUEST_INTENT_TYPEHASH');
  }
  /** The redeemer's RedeemerProxy, or the zero address before its first request. */
  async redeemerProxy(redeemer: string): Promise<string> {
    return this.readAddress('redeemerProxies', [redeemer]);
  }
  /** Hash of the redeemer's open request at this cogateway, or undefined when none is open. */
  async redeemRequestHashOf(redeemer: string, cogateway: string, block: BlockTag = 'latest'): Promise<string | undefined> {
    const hash = await this.readBytes32('redeemRequestHashes', [redeemer, cogateway], block);
    return hash === ZERO_BYTES32 ? undefined : hash;
  }
  /** True while the request with this hash is open (neither accepted, revoked nor rejected). */
  async redeemRequestExists(redeemRequestHash: string, redeemer: string, cogateway: string, block: BlockTag = 'latest'): Promise<boolean> {
    return (await this.redeemRequestHashOf(redeemer, cogateway, block)) === redeemRequestHash.toLowerCase();
  }
  /** The contract's own hash of a request (RedeemPool.hashRedeemRequest). */
  async hashRedeemRequest(p: PendingRedeemRequest): Promise<string> {
    return this.readBytes32('hashRedeemRequest', [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.redeemer, p.cogateway]);
  }
  /** Sent by the redeemer after approving the pool for `amount` OSTPrime; the first one creates its RedeemerProxy. */
  requestRedeem(p: RedeemRequestParams): ContractCall {
    return this.write(
      'requestRedeem',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.cogateway],
      GAS_LIMITS.requestRedeem,
    );
  }
  /** Sent by a worker with exactly the cogateway's bounty (base coin wei) as value; declares the redeem intent. */
  acceptRedeemRequest(p: PendingRedeemRequest & { hashLock: string }, bounty: bigint): ContractCall {
    return this.write(
      'acceptRedeemRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.redeemer, p.cogateway, p.hashLock],
      GAS_LIMITS.acceptRedeemRequest,
      bounty,
    );
  }
  /** Sent by a worker: returns the OSTPrime to the redeemer and closes the request. */
  rejectRedeemRequest(p: PendingRedeemRequest): ContractCall {
    return this.write(
      'rejectRedeemRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.redeemer, p.cogateway],
      GAS_LIMITS.default,
    );
  }
  /** Sent by the redeemer: returns its OSTPrime and closes the request. */
  revokeRedeemRequest(p: RedeemRequestParams): ContractCall {
    return this.write(
      'revokeRedeemRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.cogateway],
      GAS_LIMITS.default,
    );
  }
}
