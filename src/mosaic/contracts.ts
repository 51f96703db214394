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
abstract class DeployedContract {
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

  protected write(method: string, args: readonly unknown[], gas: bigint): ContractCall {
    return { to: this.address, data: this.iface.encodeCall(method, args), gas, label: `${this.iface.name}.${method}` };
  }
}

export class Eip20Token extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'EIP20Token');
  }
  async balanceOf(owner: string): Promise<bigint> {
    return (await this.read('balanceOf', [owner]))[0] as bigint;
  }
  async allowance(owner: string, spender: string): Promise<bigint> {
    return (await this.read('allowance', [owner, spender]))[0] as bigint;
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
    return String((await this.read('stakerProxies', [staker]))[0]).toLowerCase();
  }
  async stakeRequestExists(stakeRequestHash: string, block: BlockTag = 'latest'): Promise<boolean> {
    return Boolean((await this.read('stakeRequests', [stakeRequestHash], block))[0]);
  }
  async stakeRequestHashOf(staker: string, gateway: string): Promise<string> {
    return String((await this.read('stakeRequestHashes', [staker, gateway]))[0]);
  }
  async organization(): Promise<string> {
    return String((await this.read('organization'))[0]).toLowerCase();
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
    return (await this.read('bounty'))[0] as bigint;
  }
  async getNonce(account: string): Promise<bigint> {
    return (await this.read('getNonce', [account]))[0] as bigint;
  }
  async remoteGateway(): Promise<string> {
    return String((await this.read('remoteGateway'))[0]).toLowerCase();
  }
  async stateRootProvider(): Promise<string> {
    return String((await this.read('stateRootProvider'))[0]).toLowerCase();
  }
  async valueToken(): Promise<string> {
    return String((await this.read('valueToken'))[0]).toLowerCase();
  }
  /** Where the message box sits in storage; read from the contract (older libraries hard-code a wrong 7). */
  async getMessageBoxOffset(): Promise<bigint> {
    if (this.messageBoxOffset === undefined) {
      this.messageBoxOffset = BigInt((await this.read('MESSAGE_BOX_OFFSET'))[0] as bigint);
    }
    return this.messageBoxOffset;
  }
  async outboxStatus(messageHash: string, block: BlockTag = 'latest'): Promise<MessageStatus> {
    return Number((await this.read('getOutboxMessageStatus', [messageHash], block))[0]) as MessageStatus;
  }
  async inboxStatus(messageHash: string, block: BlockTag = 'latest'): Promise<MessageStatus> {
    return Number((await this.read('getInboxMessageStatus', [messageHash], block))[0]) as MessageStatus;
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
    return Boolean((await this.read('activated'))[0]);
  }
  async baseToken(): Promise<string> {
    return String((await this.read('baseToken'))[0]).toLowerCase();
  }
  progressStake(messageHash: string, unlockSecret: string): ContractCall {
    return this.write('progressStake', [messageHash, unlockSecret], GAS_LIMITS.progressStake);
  }
  activateGateway(coGateway: string): ContractCall {
    return this.write('activateGateway', [coGateway], GAS_LIMITS.default);
  }
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
    return String((await this.read('utilityToken'))[0]).toLowerCase();
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
}

export class Anchor extends DeployedContract {
  constructor(client: ChainClient, address: string) {
    super(client, address, 'Anchor');
  }
  async latestStateRootBlockHeight(block: BlockTag = 'latest'): Promise<bigint> {
    return (await this.read('getLatestStateRootBlockHeight', [], block))[0] as bigint;
  }
  async stateRoot(blockHeight: bigint): Promise<string> {
    return String((await this.read('getStateRoot', [blockHeight]))[0]);
  }
  async remoteChainId(): Promise<bigint> {
    return (await this.read('getRemoteChainId'))[0] as bigint;
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
    return Boolean((await this.read('isWorker', [worker]))[0]);
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
    return { ...this.write('initialize', [], GAS_LIMITS.default), value };
  }
  setCoGateway(coGateway: string): ContractCall {
    return this.write('setCoGateway', [coGateway], GAS_LIMITS.default);
  }
}
