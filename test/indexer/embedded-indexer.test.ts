import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { requestStake } from '../../src/devnet/demo-staker';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { requestRedeem, revokeRedeem } from '../../src/devnet/demo-redeemer';
import { scriptedRedeemAndUnstake } from '../../src/devnet/scripted-redeem-and-unstake';
import type { RpcReceipt } from '../../src/chain/chain-client';
import type { MosaicContractName } from '../../src/mosaic/artifacts';
import { RedeemPool } from '../../src/mosaic/redeem-contracts';
import { entityDocuments, type StreamedEntityType } from '../../src/streams/documents';
import { contractInterface } from '../../src/mosaic/contracts';
import type { Devnet } from '../../src/devnet/devnet';
import { deploymentHash } from '../../src/indexer/deployment/deployment-hash';
import type { EmbeddedIndexer } from '../../src/indexer/embedded-indexer';
import { builtSubgraphsFor } from '../../src/indexer/subgraph-build-cache';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { addressesWithRole, startDevnetIndexer, startTestDevnet, SUBGRAPH_BUILD_CACHE } from '../helpers/devnet';

async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables, operationName }) });
  return (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
}

describe('embedded indexer: the built subgraphs over a devnet, served like graph-node', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let db: TestDatabase;
  let indexer: EmbeddedIndexer;
  let originUrl: string;

  before(async () => {
    mkdirSync(SUBGRAPH_BUILD_CACHE, { recursive: true });
    devnet = await startTestDevnet({ stakers: 4 });
    db = await openTestDatabase();
    indexer = await startDevnetIndexer(devnet, db.knex, 50);
    originUrl = indexer.server.url(indexer.subgraphName('origin'));
  });
  after(async () => {
    await indexer?.stop();
    await db?.close();
    await devnet?.close();
  });

  const pair = () => devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;

  async function waitForIndexed(block: bigint): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const meta = await gql<{ _meta: { block: { number: number } } }>(originUrl, '{ _meta { block { number } } }');
      if (meta.data && BigInt(meta.data._meta.block.number) >= block) return;
      if (Date.now() > deadline) throw new Error(`origin not indexed up to ${block}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('indexes StakeRequested with every field and answers filters, ordering and time travel', async () => {
    const stakers = addressesWithRole(devnet, 'staker');
    const stakes = [];
    for (const staker of stakers.slice(0, 2)) {
      stakes.push(
        await requestStake({
          client: devnet.origin.client,
          composer: pair().origin.ostComposerAddress,
          gateway: pair().origin.ostEIP20GatewayAddress,
          valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
          staker: devnet.originSender(staker),
        }),
      );
    }
    await waitForIndexed(stakes[1].blockNumber);
    const all = await gql<{ stakeRequesteds: Array<Record<string, string>> }>(
      originUrl,
      '{ stakeRequesteds(orderBy: blockNumber, orderDirection: asc) { id amount beneficiary gasPrice gasLimit nonce staker stakerProxy gateway stakeRequestHash blockNumber transactionHash contractAddress } }',
    );
    expect(all.errors).to.equal(undefined);
    expect(all.data!.stakeRequesteds).to.have.length(2);
    const first = all.data!.stakeRequesteds[0];
    expect(first.stakeRequestHash).to.equal(stakes[0].stakeRequestHash.toLowerCase());
    expect(first.amount).to.equal(stakes[0].amount.toString());
    expect(first.staker).to.equal(stakes[0].staker);
    expect(first.contractAddress).to.equal(pair().origin.ostComposerAddress);
    expect(first.blockNumber).to.equal(stakes[0].blockNumber.toString());

    const filtered = await gql<{ stakeRequesteds: Array<{ id: string }> }>(
      originUrl,
      `{ stakeRequesteds(where: { staker: "${stakes[1].staker}", blockNumber_gte: "${stakes[1].blockNumber}" }) { id } }`,
    );
    expect(filtered.data!.stakeRequesteds).to.have.length(1);

    const past = await gql<{ stakeRequesteds: Array<{ id: string }> }>(
      originUrl,
      `{ stakeRequesteds(block: { number: ${Number(stakes[0].blockNumber)} }) { id } }`,
    );
    expect(past.data!.stakeRequesteds).to.have.length(1);

    const future = await gql(originUrl, '{ stakeRequesteds(block: { number: 99999999 }) { id } }');
    expect(future.errors![0].message).to.match(/has only indexed up to block number \d+ and data for block number 99999999 is therefore not yet available/);
  });

  it('pushes a new subscription result after a matching event', async () => {
    const client = createClient({ url: indexer.server.wsUrl(indexer.subgraphName('origin')), webSocketImpl: WebSocket });
    const results: Array<Array<{ id: string }>> = [];
    const done = new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe<{ stakeRequesteds: Array<{ id: string }> }>(
        { query: 'subscription { stakeRequesteds(first: 1000) { id } }' },
        {
          next: (result) => {
            results.push(result.data!.stakeRequesteds);
            if (results.length === 2) {
              unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    const staker = addressesWithRole(devnet, 'staker')[2];
    await requestStake({
      client: devnet.origin.client,
      composer: pair().origin.ostComposerAddress,
      gateway: pair().origin.ostEIP20GatewayAddress,
      valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
      staker: devnet.originSender(staker),
    });
    await done;
    await client.dispose();
    expect(results[1].length).to.equal(results[0].length + 1);
  });

  interface IndexedSide {
    url: string;
    receipts: RpcReceipt[];
    abi: MosaicContractName;
  }

  async function waitForSide(url: string, block: bigint): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const meta = await gql<{ _meta: { block: { number: number } } }>(url, '{ _meta { block { number } } }');
      if (meta.data && BigInt(meta.data._meta.block.number) >= block) return;
      if (Date.now() > deadline) throw new Error('not indexed in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every event of `abi` in the receipts is an entity with each field equal to the log's; returns the event names. */
  async function expectIndexed(side: IndexedSide): Promise<string[]> {
    await waitForSide(side.url, BigInt(side.receipts[side.receipts.length - 1].blockNumber));
    const checked: string[] = [];
    for (const receipt of side.receipts) {
      for (const event of contractInterface(side.abi).decodeLogs(receipt.logs)) {
        const plural = event.name.charAt(0).toLowerCase() + event.name.slice(1) + 's';
        const fields = Object.keys(event.args).map((k) => k.replace(/^_/, ''));
        const id = `${receipt.transactionHash}-${event.logIndex}`;
        const result = await gql<Record<string, Array<Record<string, unknown>>>>(
          side.url,
          `{ ${plural}(where: { id: "${id}" }) { id blockNumber blockHash transactionHash contractAddress logIndex ${fields.join(' ')} } }`,
        );
        expect(result.errors, `${event.name} query`).to.equal(undefined);
        const entity = result.data![plural][0];
        expect(entity, `${event.name} entity ${id}`).to.not.equal(undefined);
        expect(entity.blockNumber).to.equal(BigInt(receipt.blockNumber).toString());
        expect(entity.blockHash).to.equal(receipt.blockHash);
        expect(entity.contractAddress).to.equal(event.address);
        expect(entity.logIndex).to.equal(String(event.logIndex));
        checked.push(event.name);
        for (const [name, value] of Object.entries(event.args)) {
          const field = name.replace(/^_/, '');
          const expected = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.toLowerCase() : value;
          expect(entity[field], `${event.name}.${field}`).to.deep.equal(expected);
        }
      }
    }
    return checked;
  }

  it('indexes every event of a whole stake & mint on both chains, each field equal to the receipt logs', async () => {
    const worker = addressesWithRole(devnet, 'worker')[0];
    const flow = await scriptedStakeAndMint(devnet, { staker: addressesWithRole(devnet, 'staker')[3], worker });
    const auxUrl = indexer.server.url(indexer.subgraphName('auxiliary'));
    const checked = new Set<string>();
    for (const side of [
      { url: originUrl, receipts: [flow.receipts.acceptStakeRequest, flow.receipts.progressStake], abi: 'EIP20Gateway' as const },
      { url: auxUrl, receipts: [flow.receipts.anchorStateRoot], abi: 'Anchor' as const },
      { url: auxUrl, receipts: [flow.receipts.proveGateway, flow.receipts.confirmStakeIntent, flow.receipts.progressMint], abi: 'EIP20CoGateway' as const },
    ]) {
      for (const name of await expectIndexed(side)) checked.add(name);
    }
    expect([...checked].sort()).to.deep.equal(
      ['GatewayProven', 'MintProgressed', 'StakeIntentConfirmed', 'StakeIntentDeclared', 'StakeProgressed', 'StateRootAvailable'],
    );
  });

  it('indexes every event of a redeem & unstake, a revoke and a reject, and serves them through graphql/subgraph documents', async () => {
    const [worker] = addressesWithRole(devnet, 'worker');
    const stakers = addressesWithRole(devnet, 'staker');
    const [redeemer, other] = [stakers[3], stakers[2]];
    await scriptedStakeAndMint(devnet, { staker: redeemer, worker }); // the OSTPrime to redeem
    const flow = await scriptedRedeemAndUnstake(devnet, { redeemer, worker, amount: 20n * 10n ** 18n });
    const redeemOptions = {
      client: devnet.auxiliary.client,
      ostPrime: pair().auxiliary.ostPrimeAddress,
      redeemPool: pair().auxiliary.redeemPoolAddress,
      coGateway: pair().auxiliary.ostEIP20CogatewayAddress,
      redeemer: devnet.auxiliarySender(other),
      amount: 10n ** 18n,
    };
    const revoked = await requestRedeem(redeemOptions);
    const revoke = await revokeRedeem({ ...redeemOptions, request: revoked });
    const rejected = await requestRedeem(redeemOptions);
    const pool = new RedeemPool(devnet.auxiliary.client, pair().auxiliary.redeemPoolAddress);
    const reject = await devnet.auxiliarySender(worker).send(pool.rejectRedeemRequest({ ...rejected, redeemer: other }));
    const requests = await Promise.all(
      [flow.request, revoked, rejected].map(async (r) => (await devnet.auxiliary.client.getReceipt(r.transactionHash))!),
    );

    const auxUrl = indexer.server.url(indexer.subgraphName('auxiliary'));
    const checked = [
      ...(await expectIndexed({ url: auxUrl, receipts: [...requests, revoke, reject], abi: 'RedeemPool' })),
      ...(await expectIndexed({ url: auxUrl, receipts: [flow.receipts.acceptRedeemRequest, flow.receipts.progressRedeem], abi: 'EIP20CoGateway' })),
      ...(await expectIndexed({
        url: originUrl,
        receipts: [flow.receipts.proveGateway, flow.receipts.confirmRedeemIntent, flow.receipts.progressUnstake],
        abi: 'EIP20Gateway',
      })),
    ];
    expect([...new Set(checked)].sort()).to.deep.equal([
      'GatewayProven',
      'RedeemIntentConfirmed',
      'RedeemIntentDeclared',
      'RedeemProgressed',
      'RedeemRejected',
      'RedeemRequested',
      'RedeemRevoked',
      'UnstakeProgressed',
    ]);

    // The documents the entity streams send (one operation each: graph-node takes no operationName), answered by the served subgraphs.
    const page = async (url: string, type: StreamedEntityType) => {
      const meta = await gql<{ _meta: { block: { number: number } } }>(url, '{ _meta { block { number } } }');
      const variables = { fromBlock: 0, atBlock: meta.data!._meta.block.number, afterId: '', first: 1000 };
      const result = await gql<{ entities: Array<Record<string, unknown>> }>(url, print(entityDocuments(type).page), variables);
      expect(result.errors, type).to.equal(undefined);
      return result.data!.entities;
    };
    await waitForSide(originUrl, await devnet.origin.client.blockNumber());
    expect((await page(auxUrl, 'RedeemRequested')).map((e) => e.redeemRequestHash)).to.include.members(
      [flow.request, revoked, rejected].map((r) => r.redeemRequestHash),
    );
    expect((await page(auxUrl, 'RedeemIntentDeclared')).map((e) => e.messageHash)).to.include(flow.messageHash);
    expect((await page(originUrl, 'UnstakeProgressed')).map((e) => e.unlockSecret)).to.include(flow.unlockSecret);
    const anchored = (await page(originUrl, 'StateRootAvailable')).map((e) => e.blockHeight);
    expect(anchored, 'the relay anchored the proven auxiliary height on origin').to.include(flow.provenHeight.toString());
  });

  it('reports as _meta.deployment the manifest CID `graph deploy` gives this deployment (its start blocks), and serves /subgraphs/id/<it>', async () => {
    const builds = await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, SUBGRAPH_BUILD_CACHE);
    const startBlocks = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].startBlocks;
    const hashes: string[] = [];
    for (const side of ['origin', 'auxiliary'] as const) {
      const expected = deploymentHash(builds[side], { startBlock: startBlocks[side] });
      hashes.push(expected);
      const url = indexer.server.url(indexer.subgraphName(side));
      const byName = await gql<{ _meta: { deployment: string } }>(url, '{ _meta { deployment } }');
      expect(byName.data!._meta.deployment).to.equal(expected).and.match(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
      const byId = await gql<{ _meta: { deployment: string } }>(url.replace(/\/subgraphs\/name\/.*$/, `/subgraphs/id/${expected}`), '{ _meta { deployment } }');
      expect(byId.data!._meta.deployment).to.equal(expected);
    }
    expect(hashes[0]).not.to.equal(hashes[1]);
  });

  it('answers an unknown subgraph name as graph-node does (200, "deployment `nope` does not exist") and a malformed query with GraphQL errors', async () => {
    const missing = await fetch(indexer.server.url('nope'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _meta { deployment } }"}' });
    expect(missing.status).to.equal(200);
    expect(await missing.json()).to.deep.equal({ errors: [{ message: 'deployment `nope` does not exist' }] });
    const bad = await gql(originUrl, '{ stakeRequesteds(where: { nonsense: 1 }) { id } }');
    expect(bad.errors![0].message).to.match(/nonsense/);
    const tooMany = await gql(originUrl, '{ stakeRequesteds(first: 5000) { id } }');
    expect(tooMany.errors![0].message).to.match(/first.*between 0 and 1000/);
  });
});
