import { ChainClient } from '../../src/chain/chain-client';
import type { AccountProof } from '../../src/chain/proofs';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';
import type { FacilitationContext, FacilitationPolicy } from '../../src/facilitation/context';
import type { HandlerContext } from '../../src/facilitation/handlers';
import { buildFacilitationContext } from '../../src/facilitator/facilitation-context';
import { silentLogger } from '../../src/logging/logger';
import { MessageStatus } from '../../src/mosaic/message-status';
import { FakeChainEngine } from './fake-chain-engine';
import { FakeJsonRpc } from './fake-json-rpc';
import { MemoryFacilitationStore } from './memory-facilitation-store';

const address = (byte: string) => `0x${byte.repeat(20)}`;

export const FAKE = {
  originChainId: 1000,
  auxChainId: 1405,
  composer: address('c0'),
  gateway: address('9a'),
  coGateway: address('9b'),
  token: address('70'),
  originAnchor: address('a0'),
  auxiliaryAnchor: address('a1'),
  redeemPool: address('e0'),
  originWorker: address('31'),
  auxiliaryWorker: address('32'),
  bounty: 100n,
} as const;

/** What the fake chains hold; tests change it between steps. */
export interface FakeChainState {
  /** Stake requests the composer holds. */
  stakeRequests: Set<string>;
  outbox: Map<string, MessageStatus>;
  inbox: Map<string, MessageStatus>;
  anchoredHeight: bigint;
  allowance: bigint;
  tokenBalance: bigint;
}

export interface FakeFacilitation {
  context: FacilitationContext;
  handlers: HandlerContext;
  store: MemoryFacilitationStore;
  origin: { rpc: FakeJsonRpc; engine: FakeChainEngine };
  auxiliary: { rpc: FakeJsonRpc; engine: FakeChainEngine };
  chain: FakeChainState;
  /** Every proof asked for, in order. */
  proofs: Array<{ messageHashes: readonly string[]; height: bigint }>;
}

function mosaicConfig(): MosaicConfigShape {
  const pair = {
    origin: { anchorAddress: FAKE.originAnchor, ostEIP20GatewayAddress: FAKE.gateway, ostComposerAddress: FAKE.composer },
    auxiliary: { anchorAddress: FAKE.auxiliaryAnchor, ostEIP20CogatewayAddress: FAKE.coGateway, redeemPoolAddress: FAKE.redeemPool },
  };
  return {
    version: 1,
    originChain: { chainId: FAKE.originChainId, contractAddresses: { simpleTokenAddress: FAKE.token } },
    auxiliaryChains: { [FAKE.auxChainId]: { chainId: FAKE.auxChainId, contractAddresses: pair, startBlocks: { origin: 0, auxiliary: 0 } } },
  } as unknown as MosaicConfigShape;
}

/**
 * A facilitation context with no chain and no database: the store in memory, both transaction engines
 * recording steps, the contracts answered from `chain`, proofs made from the outbox statuses.
 */
export function fakeFacilitation(policy: Partial<FacilitationPolicy> = {}): FakeFacilitation {
  const chain: FakeChainState = { stakeRequests: new Set(), outbox: new Map(), inbox: new Map(), anchoredHeight: 0n, allowance: 10n ** 6n, tokenBalance: 10n ** 6n };
  const origin = { rpc: new FakeJsonRpc(FAKE.originChainId), engine: new FakeChainEngine(FAKE.originChainId, [FAKE.originWorker]) };
  const auxiliary = { rpc: new FakeJsonRpc(FAKE.auxChainId), engine: new FakeChainEngine(FAKE.auxChainId, [FAKE.auxiliaryWorker]) };
  origin.rpc.balances.set(FAKE.originWorker, 10n ** 18n);
  auxiliary.rpc.balances.set(FAKE.auxiliaryWorker, 10n ** 18n);
  origin.rpc
    .contract(FAKE.composer, 'OSTComposer', { stakeRequests: (hash) => chain.stakeRequests.has(String(hash)) })
    .contract(FAKE.gateway, 'EIP20Gateway', {
      bounty: () => FAKE.bounty,
      getOutboxMessageStatus: (hash) => chain.outbox.get(String(hash)) ?? MessageStatus.Undeclared,
    })
    .contract(FAKE.token, 'EIP20Token', { allowance: () => chain.allowance, balanceOf: () => chain.tokenBalance });
  auxiliary.rpc
    .contract(FAKE.coGateway, 'EIP20CoGateway', { getInboxMessageStatus: (hash) => chain.inbox.get(String(hash)) ?? MessageStatus.Undeclared })
    .contract(FAKE.auxiliaryAnchor, 'Anchor', { getLatestStateRootBlockHeight: () => chain.anchoredHeight });
  const store = new MemoryFacilitationStore();
  const built = buildFacilitationContext({
    mosaic: mosaicConfig(),
    auxChainId: FAKE.auxChainId,
    origin: { client: new ChainClient(origin.rpc, FAKE.originChainId), engine: origin.engine },
    auxiliary: { client: new ChainClient(auxiliary.rpc, FAKE.auxChainId), engine: auxiliary.engine },
    store,
    policy,
    logger: silentLogger(),
  });
  const proofs: FakeFacilitation['proofs'] = [];
  const proofOf = (gateway: string) => async (messageHashes: readonly string[], height: bigint): Promise<AccountProof> => {
    proofs.push({ messageHashes, height });
    return {
      address: gateway,
      blockNumber: height,
      storageHash: `0x${'5a'.repeat(32)}`,
      rlpAccount: '0xf844',
      rlpAccountParentNodes: '0xc0',
      storage: messageHashes.map((hash) => ({ slot: hash, value: BigInt(chain.outbox.get(hash) ?? MessageStatus.Undeclared), rlpParentNodes: '0xc0' })),
    };
  };
  // One outbox map stands for both gateways' outboxes (a message hash is in one of them only).
  built.context.proofs = { gatewayOutbox: proofOf(FAKE.gateway), coGatewayOutbox: proofOf(FAKE.coGateway) };
  return { context: built.context, handlers: built.handlers, store, origin, auxiliary, chain, proofs };
}
