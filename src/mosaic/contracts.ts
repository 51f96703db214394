import type { BlockTag, ChainClient } from '../chain/chain-client';
import { GAS_LIMITS } from './gas';
import { ContractInterface } from './contract';
import type { MosaicContractName } from './artifacts';
import { MessageStatus } from './message-status';

/** A transaction to send: target, calldata, gas limit and a label naming the call in logs and errors. */
export interface ContractCall {
  to: string;
  data: string;
  gas: bigint;
  label: string;
  value?: bigint;
}

const interfaces = new Map<MosaicContractName, ContractInterface>();

export function contractInterface(name: MosaicContractName): ContractInterface {
  let iface = interfaces.get(name);
  if (!iface) {
    iface = ContractInterface.of(name);
    interfaces.set(name, iface);
  }
  return iface;
}

/** A deployed contract on one chain: typed reads go through eth_call, writes are returned as ContractCall. */
export abstract class DeployedContract {
  protected readonly iface: ContractInterface;

  constructor(
    readonly client: ChainClient,
    readonly address: string,
    name: MosaicContractName,
  ) {
    this.iface = contractInterface(name);
    this.address = address.toLowerCase();
  }

  protected async read(method: string, args: readonly unknown[] = [], block: BlockTag = 'latest'): Promise<unknown[]> {
    const data = await this.client.call(
      { to: this.address, data: this.iface.encodeCall(method, args) },
      block,
      `${this.iface.name}.${method}`,
    );
    return this.iface.decodeResult(method, data);
  }

  /** A read whose one output the ABI declares as an integer. */
  protected async readUint(method: string, args: readonly unknown[] = [], block: BlockTag = 'latest'): Promise<bigint> {
    this.iface.expectOutput(method, 'int');
    return BigInt((await this.read(method, args, block))[0] as bigint | number | string);
  }

  /** A read whose one output the ABI declares as an address (lowercase). */
  protected async readAddress(method: string, args: readonly unknown[] = [], block: BlockTag = 'latest'): Promise<string> {
    this.iface.expectOutput(method, 'address');
    return String((await this.read(method, args, block))[0]).toLowerCase();
  }

  protected async readBool(method: string, args: readonly unknown[] = [], block: BlockTag = 'latest'): Promise<boolean> {
    this.iface.expectOutput(method, 'bool');
    return (await this.read(method, args, block))[0] === true;
  }

  protected async readBytes32(method: string, args: readonly unknown[] = [], block: BlockTag = 'latest'): Promise<string> {
    this.iface.expectOutput(method, 'bytes32');
    return String((await this.read(method, args, block))[0]).toLowerCase();
  }

  /** `value` (wei of the chain's base coin) only for payable functions. */
  protected write(method: string, args: readonly unknown[], gas: bigint, value?: bigint): ContractCall {
    const call: ContractCall = { to: this.address, data: this.iface.encodeCall(method, args), gas, label: `${this.iface.name}.${method}` };
    return value === undefined ? call : { ...call, value };
  }
}

export class Eip20Token extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'EIP20Token');
  }
  async balanceOf(owner: string): Promise<bigint> {
    return this.readUint('balanceOf', [owner]);
  }
  async allowance(owner: string, spender: string): Promise<bigint> {
    return this.readUint('allowance', [owner, spender]);
  }
  approve(spender: string, amount: bigint): ContractCall {
    return this.write('approve', [spender, amount], GAS_LIMITS.approve);
  }
  transfer(to: string, amount: bigint): ContractCall {
    return this.write('transfer', [to, amount], GAS_LIMITS.approve);
  }
}

export interface StakeRequestParams {
  amount: bigint;
  beneficiary: string;
  gasPrice: bigint;
  gasLimit: bigint;
  nonce: bigint;
  gateway: string;
}

export class OstComposer extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'OSTComposer');
  }
  async stakerProxy(staker: string): Promise<string> {
    return this.readAddress('stakerProxies', [staker]);
  }
  async stakeRequestExists(stakeRequestHash: string, block: BlockTag = 'latest'): Promise<boolean> {
    return this.readBool('stakeRequests', [stakeRequestHash], block);
  }
  async stakeRequestHashOf(staker: string, gateway: string): Promise<string> {
    return this.readBytes32('stakeRequestHashes', [staker, gateway]);
  }
  async organization(): Promise<string> {
    return this.readAddress('organization');
  }
  /** The EIP-712 type hash of a stake request: a constant only the OSTComposer has (see STAKE_REQUEST_TYPEHASH). */
  async stakeRequestTypeHash(): Promise<string> {
    return this.readBytes32('STAKEREQUEST_INTENT_TYPEHASH');
  }
  requestStake(p: StakeRequestParams): ContractCall {
    return this.write(
      'requestStake',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.gateway],
      GAS_LIMITS.requestStake,
    );
  }
  acceptStakeRequest(p: StakeRequestParams & { staker: string; hashLock: string }): ContractCall {
    return this.write(
      'acceptStakeRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.staker, p.gateway, p.hashLock],
      GAS_LIMITS.acceptStakeRequest,
    );
  }
  revokeStakeRequest(p: StakeRequestParams): ContractCall {
    return this.write(
      'revokeStakeRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.gateway],
      GAS_LIMITS.default,
    );
  }
  rejectStakeRequest(p: StakeRequestParams & { staker: string }): ContractCall {
    return this.write(
      'rejectStakeRequest',
      [p.amount, p.beneficiary, p.gasPrice, p.gasLimit, p.nonce, p.staker, p.gateway],
      GAS_LIMITS.default,
    );
  }
}

/** Reads shared by EIP20Gateway (origin) and EIP20CoGateway (auxiliary). */
abstract class GatewayBase extends DeployedContract {
  private messageBoxOffset: bigint | undefined;

  async bounty(): Promise<bigint> {
    return this.readUint('bounty');
  }
  async getNonce(account: string): Promise<bigint> {
    return this.readUint('getNonce', [account]);
  }
  async remoteGateway(): Promise<string> {
    return this.readAddress('remoteGateway');
  }
  async stateRootProvider(): Promise<string> {
    return this.readAddress('stateRootProvider');
  }
  async valueToken(): Promise<string> {
    return this.readAddress('valueToken');
  }
  /** Where the message box sits in storage; read from the contract (older libraries hard-code a wrong 7). */
  async getMessageBoxOffset(): Promise<bigint> {
    if (this.messageBoxOffset === undefined) {
      this.messageBoxOffset = await this.readUint('MESSAGE_BOX_OFFSET');
    }
    return this.messageBoxOffset;
  }
  async outboxStatus(messageHash: string, block: BlockTag = 'latest'): Promise<MessageStatus> {
    return Number(await this.readUint('getOutboxMessageStatus', [messageHash], block)) as MessageStatus;
  }
  async inboxStatus(messageHash: string, block: BlockTag = 'latest'): Promise<MessageStatus> {
    return Number(await this.readUint('getInboxMessageStatus', [messageHash], block)) as MessageStatus;
  }
  proveGateway(blockHeight: bigint, rlpAccount: string, rlpParentNodes: string): ContractCall {
    return this.write('proveGateway', [blockHeight, rlpAccount, rlpParentNodes], GAS_LIMITS.proveGateway);
  }
}

export class Eip20Gateway extends GatewayBase {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'EIP20Gateway');
  }
  async activated(): Promise<boolean> {
    return this.readBool('activated');
  }
  async baseToken(): Promise<string> {
    return this.readAddress('baseToken');
  }
  progressStake(messageHash: string, unlockSecret: string): ContractCall {
    return this.write('progressStake', [messageHash, unlockSecret], GAS_LIMITS.progressStake);
  }
  activateGateway(coGateway: string): ContractCall {
    return this.write('activateGateway', [coGateway], GAS_LIMITS.default);
  }
  /** Redeem side: copies a redeem message proven in the cogateway's outbox into this gateway's inbox. */
  confirmRedeemIntent(p: ConfirmRedeemIntentParams): ContractCall {
    return this.write(
      'confirmRedeemIntent',
      [p.redeemer, p.redeemerNonce, p.beneficiary, p.amount, p.gasPrice, p.gasLimit, p.blockHeight, p.hashLock, p.rlpParentNodes],
      GAS_LIMITS.confirmRedeemIntent,
    );
  }
  /** Redeem side: releases amount − reward OST to the beneficiary, the reward to the caller. */
  progressUnstake(messageHash: string, unlockSecret: string): ContractCall {
    return this.write('progressUnstake', [messageHash, unlockSecret], GAS_LIMITS.progressUnstake);
  }
}

/** gateway.confirmRedeemIntent's arguments; note blockHeight comes before hashLock (not so in confirmStakeIntent). */
export interface ConfirmRedeemIntentParams {
  /** The message sender: the redeemer's RedeemerProxy when redeeming through the RedeemPool. */
  redeemer: string;
  redeemerNonce: bigint;
  beneficiary: string;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  /** Auxiliary height at which the cogateway was proven on origin (proveGateway). */
  blockHeight: bigint;
  hashLock: string;
  rlpParentNodes: string;
}

export interface ConfirmStakeIntentParams {
  staker: string;
  stakerNonce: bigint;
  beneficiary: string;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  hashLock: string;
  blockHeight: bigint;
  rlpParentNodes: string;
}

export class Eip20CoGateway extends GatewayBase {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'EIP20CoGateway');
  }
  async utilityToken(): Promise<string> {
    return this.readAddress('utilityToken');
  }
  confirmStakeIntent(p: ConfirmStakeIntentParams): ContractCall {
    return this.write(
      'confirmStakeIntent',
      [p.staker, p.stakerNonce, p.beneficiary, p.amount, p.gasPrice, p.gasLimit, p.hashLock, p.blockHeight, p.rlpParentNodes],
      GAS_LIMITS.confirmStakeIntent,
    );
  }
  progressMint(messageHash: string, unlockSecret: string): ContractCall {
    return this.write('progressMint', [messageHash, unlockSecret], GAS_LIMITS.progressMint);
  }
  /** Redeem side: burns the redeemed OSTPrime and returns the bounty (base coin) to the caller. */
  progressRedeem(messageHash: string, unlockSecret: string): ContractCall {
    return this.write('progressRedeem', [messageHash, unlockSecret], GAS_LIMITS.progressRedeem);
  }
}

export class Anchor extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'Anchor');
  }
  async latestStateRootBlockHeight(block: BlockTag = 'latest'): Promise<bigint> {
    return this.readUint('getLatestStateRootBlockHeight', [], block);
  }
  async stateRoot(blockHeight: bigint): Promise<string> {
    return this.readBytes32('getStateRoot', [blockHeight]);
  }
  async remoteChainId(): Promise<bigint> {
    return this.readUint('getRemoteChainId');
  }
  anchorStateRoot(blockHeight: bigint, stateRoot: string): ContractCall {
    return this.write('anchorStateRoot', [blockHeight, stateRoot], GAS_LIMITS.anchorStateRoot);
  }
}

export class Organization extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'Organization');
  }
  async isWorker(worker: string): Promise<boolean> {
    return this.readBool('isWorker', [worker]);
  }
  setWorker(worker: string, expirationHeight: bigint): ContractCall {
    return this.write('setWorker', [worker, expirationHeight], GAS_LIMITS.default);
  }
}

export class OstPrime extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'OSTPrime');
  }
  initialize(value: bigint): ContractCall {
    return this.write('initialize', [], GAS_LIMITS.default, value);
  }
  setCoGateway(coGateway: string): ContractCall {
    return this.write('setCoGateway', [coGateway], GAS_LIMITS.default);
  }
  async balanceOf(owner: string, block: BlockTag = 'latest'): Promise<bigint> {
    return this.readUint('balanceOf', [owner], block);
  }
  async allowance(owner: string, spender: string): Promise<bigint> {
    return this.readUint('allowance', [owner, spender]);
  }
  /**
   * Base coin the contract can still turn into OSTPrime tokens: its own token balance. It holds only
   * what stake & mint released (unwrapped) to beneficiaries, so a redeem needs a prior stake & mint.
   */
  async wrappable(): Promise<bigint> {
    return this.balanceOf(this.address);
  }
  /** Turns `amount` wei of base coin (the value sent) into as many OSTPrime tokens; beyond wrappable() it fails an assert, with no reason. */
  wrap(amount: bigint): ContractCall {
    return this.write('wrap', [], GAS_LIMITS.wrap, amount);
  }
  approve(spender: string, amount: bigint): ContractCall {
    return this.write('approve', [spender, amount], GAS_LIMITS.approve);
  }
}
