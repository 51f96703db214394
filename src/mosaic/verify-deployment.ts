import type { ChainClient } from '../chain/chain-client';
import { ExecutionRevertedError, NodeError } from '../chain/node-errors';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { auxiliaryChainOf } from '../config/mosaic-config-schema';
import { ConfigError } from '../config/validation';
import { RetryableError } from '../errors/facilitator-error';
import { Anchor, Eip20CoGateway, Eip20Gateway, OstComposer } from './contracts';
import { REDEEM_REQUEST_TYPEHASH, STAKE_REQUEST_TYPEHASH } from './hashes';
import { RedeemPool } from './redeem-contracts';

/*
 * Before `start` facilitates anything, the mosaic-config's contracts are checked on chain: a wrong
 * address (another deployment, a contract of another kind, a typo) would otherwise show up hours
 * later as reverted transactions and lost bounties. Each mismatch is one line naming the contract
 * and the config key to fix; a node that does not answer is said to be unreachable (try again), not
 * taken for a wrong contract.
 */

export interface DeploymentClients {
  origin: ChainClient;
  auxiliary: ChainClient;
}

interface Entry {
  /** Config key under the mosaic-config, e.g. auxiliaryChains.1405.contractAddresses.origin.anchorAddress. */
  key: string;
  address: string;
  contract: string;
  side: 'origin' | 'auxiliary';
}

type Entries = ReturnType<typeof entriesOf>;

const article = (noun: string): string => (/^[aeiou]/i.test(noun) ? 'an' : 'a');

function entriesOf(mosaic: MosaicConfigShape, auxChainId: number, source: string) {
  const pair = auxiliaryChainOf(mosaic, auxChainId, source);
  const prefix = `auxiliaryChains.${auxChainId}.contractAddresses`;
  const { origin, auxiliary } = pair.contractAddresses;
  return {
    token: { key: 'originChain.contractAddresses.simpleTokenAddress', address: mosaic.originChain.contractAddresses.simpleTokenAddress, contract: 'value token (OST)', side: 'origin' },
    composer: { key: `${prefix}.origin.ostComposerAddress`, address: origin.ostComposerAddress, contract: 'OSTComposer', side: 'origin' },
    gateway: { key: `${prefix}.origin.ostEIP20GatewayAddress`, address: origin.ostEIP20GatewayAddress, contract: 'EIP20Gateway', side: 'origin' },
    originAnchor: { key: `${prefix}.origin.anchorAddress`, address: origin.anchorAddress, contract: 'Anchor (origin)', side: 'origin' },
    coGateway: { key: `${prefix}.auxiliary.ostEIP20CogatewayAddress`, address: auxiliary.ostEIP20CogatewayAddress, contract: 'EIP20CoGateway', side: 'auxiliary' },
    auxiliaryAnchor: { key: `${prefix}.auxiliary.anchorAddress`, address: auxiliary.anchorAddress, contract: 'Anchor (auxiliary)', side: 'auxiliary' },
    ostPrime: { key: `${prefix}.auxiliary.ostPrimeAddress`, address: auxiliary.ostPrimeAddress, contract: 'OSTPrime', side: 'auxiliary' },
    redeemPool: { key: `${prefix}.auxiliary.redeemPoolAddress`, address: auxiliary.redeemPoolAddress, contract: 'RedeemPool', side: 'auxiliary' },
  } satisfies Record<string, Entry>;
}

/** The checks of one deployment: every failure is one line naming `source`, the config key and the address. */
class DeploymentCheck {
  constructor(
    private readonly mosaic: MosaicConfigShape,
    private readonly auxChainId: number,
    private readonly clients: DeploymentClients,
    private readonly source: string,
  ) {}

  chainOf(entry: Entry): number {
    return entry.side === 'origin' ? this.mosaic.originChain.chainId : this.auxChainId;
  }

  fail(message: string): never {
    throw new ConfigError(`${this.source}: ${message}`);
  }

  /**
   * A node that did not answer (refused, timed out, rate limited, an error of its own) says nothing
   * about the contract: retryable, and named as such. The node's message is left out (it may carry
   * the endpoint); its class says what happened.
   */
  unreachable(entry: Entry, what: string, error: NodeError): never {
    throw new RetryableError(
      `${this.source}: cannot reach chain ${this.chainOf(entry)} to read ${what} of ${entry.key} ${entry.address} (${error.name}): check the chain's RPC endpoint, then start again`,
      { cause: error },
    );
  }

  async hasCode(entry: Entry): Promise<void> {
    let code: string;
    try {
      code = await this.clients[entry.side].getCode(entry.address);
    } catch (error) {
      if (error instanceof NodeError) this.unreachable(entry, 'the code', error);
      throw error;
    }
    if (!code || code === '0x') this.fail(`${entry.key} (${entry.contract}) ${entry.address} has no code on chain ${this.chainOf(entry)}: is it this deployment's address?`);
  }

  /** A getter of `entry`'s contract; a revert (or an answer that does not decode) means the address holds another kind of contract. */
  async read<T>(entry: Entry, getter: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof NodeError && !(error instanceof ExecutionRevertedError)) this.unreachable(entry, `${getter}()`, error);
      return this.fail(`${entry.key} ${entry.address} does not answer ${getter}(): it is not ${article(entry.contract)} ${entry.contract} of Mosaic 0.12`);
    }
  }

  expectSame(entry: Entry, getter: string, actual: string, expected: Entry): void {
    if (actual.toLowerCase() !== expected.address.toLowerCase()) {
      this.fail(`${entry.contract} ${entry.address} (${entry.key}) has ${getter}() ${actual}, but ${expected.key} is ${expected.address}: the two are not of one deployment`);
    }
  }

  /** A constant only this kind of contract has: the address holds one of them (another kind reverts or answers otherwise). */
  async expectConstant(entry: Entry, getter: string, call: () => Promise<string>, expected: string): Promise<void> {
    const actual = await this.read(entry, getter, call);
    if (actual.toLowerCase() !== expected.toLowerCase()) this.fail(`${entry.key} ${entry.address} has ${getter}() ${actual}, not ${expected}: it is not ${article(entry.contract)} ${entry.contract} of Mosaic 0.12`);
  }
}

/** Checks the deployment of `auxChainId`'s pair; throws a ConfigError (one line, naming `source`) at the first mismatch. */
export async function verifyDeployment(mosaic: MosaicConfigShape, auxChainId: number, clients: DeploymentClients, source: string): Promise<void> {
  const entries = entriesOf(mosaic, auxChainId, source);
  const check = new DeploymentCheck(mosaic, auxChainId, clients, source);
  for (const entry of Object.values(entries)) await check.hasCode(entry);
  await checkGatewayPairing(check, entries, clients);

  const anchors: Array<[Entry, number]> = [
    [entries.originAnchor, auxChainId],
    [entries.auxiliaryAnchor, mosaic.originChain.chainId],
  ];
  for (const [entry, expected] of anchors) {
    const anchor = new Anchor(clients[entry.side], entry.address);
    const remote = await check.read(entry, 'getRemoteChainId', () => anchor.remoteChainId());
    if (remote !== BigInt(expected)) {
      check.fail(`${entry.contract} ${entry.address} (${entry.key}) anchors chain ${remote}, not chain ${expected}: is it the anchor of this chain pair?`);
    }
  }

  // Neither names its gateway; organization() would answer on gateways and anchors too, the request
  // type hashes only on these two.
  const composer = new OstComposer(clients.origin, entries.composer.address);
  await check.expectConstant(entries.composer, 'STAKEREQUEST_INTENT_TYPEHASH', () => composer.stakeRequestTypeHash(), STAKE_REQUEST_TYPEHASH);
  const redeemPool = new RedeemPool(clients.auxiliary, entries.redeemPool.address);
  await check.expectConstant(entries.redeemPool, 'REDEEMREQUEST_INTENT_TYPEHASH', () => redeemPool.redeemRequestTypeHash(), REDEEM_REQUEST_TYPEHASH);
}

/** Gateway and cogateway name each other, their anchors and their tokens. */
async function checkGatewayPairing(check: DeploymentCheck, entries: Entries, clients: DeploymentClients): Promise<void> {
  const gateway = new Eip20Gateway(clients.origin, entries.gateway.address);
  const coGateway = new Eip20CoGateway(clients.auxiliary, entries.coGateway.address);
  check.expectSame(entries.gateway, 'remoteGateway', await check.read(entries.gateway, 'remoteGateway', () => gateway.remoteGateway()), entries.coGateway);
  check.expectSame(entries.coGateway, 'remoteGateway', await check.read(entries.coGateway, 'remoteGateway', () => coGateway.remoteGateway()), entries.gateway);
  check.expectSame(entries.gateway, 'stateRootProvider', await check.read(entries.gateway, 'stateRootProvider', () => gateway.stateRootProvider()), entries.originAnchor);
  check.expectSame(entries.coGateway, 'stateRootProvider', await check.read(entries.coGateway, 'stateRootProvider', () => coGateway.stateRootProvider()), entries.auxiliaryAnchor);
  check.expectSame(entries.gateway, 'valueToken', await check.read(entries.gateway, 'valueToken', () => gateway.valueToken()), entries.token);
  check.expectSame(entries.coGateway, 'utilityToken', await check.read(entries.coGateway, 'utilityToken', () => coGateway.utilityToken()), entries.ostPrime);
}
