import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { requestStake } from '../../src/devnet/demo-staker';
import { scriptedStakeAndMint } from '../../src/devnet/scripted-stake-and-mint';
import { contractInterface } from '../../src/mosaic/contracts';
import type { Devnet } from '../../src/devnet/devnet';
import type { EmbeddedIndexer } from '../../src/indexer/embedded-indexer';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { addressesWithRole, startDevnetIndexer, startTestDevnet, SUBGRAPH_BUILD_CACHE } from '../helpers/devnet';

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
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

  it('indexes every event of a whole stake & mint on both chains, each field equal to the receipt logs', async () => {
    const worker = addressesWithRole(devnet, 'worker')[0];
    const flow = await scriptedStakeAndMint(devnet, { staker: addressesWithRole(devnet, 'staker')[3], worker });
    const auxUrl = indexer.server.url(indexer.subgraphName('auxiliary'));
    const sides = [
      { url: originUrl, client: devnet.origin.client, receipts: [flow.receipts.acceptStakeRequest, flow.receipts.progressStake], abi: 'EIP20Gateway' as const },
      { url: auxUrl, client: devnet.auxiliary.client, receipts: [flow.receipts.anchorStateRoot], abi: 'Anchor' as const },
      { url: auxUrl, client: devnet.auxiliary.client, receipts: [flow.receipts.proveGateway, flow.receipts.confirmStakeIntent, flow.receipts.progressMint], abi: 'EIP20CoGateway' as const },
    ];
    const checked = new Set<string>();
    for (const side of sides) {
      const last = side.receipts[side.receipts.length - 1];
      const deadline = Date.now() + 20_000;
      for (;;) {
        const meta = await gql<{ _meta: { block: { number: number } } }>(side.url, '{ _meta { block { number } } }');
        if (meta.data && BigInt(meta.data._meta.block.number) >= BigInt(last.blockNumber)) break;
        if (Date.now() > deadline) throw new Error('not indexed in time');
        await new Promise((r) => setTimeout(r, 50));
      }
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
          checked.add(event.name);
          for (const [name, value] of Object.entries(event.args)) {
            const field = name.replace(/^_/, '');
            const expected = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.toLowerCase() : value;
            expect(entity[field], `${event.name}.${field}`).to.deep.equal(expected);
          }
        }
      }
    }
    expect([...checked].sort()).to.deep.equal(
      ['GatewayProven', 'MintProgressed', 'StakeIntentConfirmed', 'StakeIntentDeclared', 'StakeProgressed', 'StateRootAvailable'],
    );
  });

  it('answers an unknown subgraph name with 404 and a malformed query with GraphQL errors', async () => {
    const missing = await fetch(indexer.server.url('nope'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _meta { deployment } }"}' });
    expect(missing.status).to.equal(404);
    const bad = await gql(originUrl, '{ stakeRequesteds(where: { nonsense: 1 }) { id } }');
    expect(bad.errors![0].message).to.match(/nonsense/);
    const tooMany = await gql(originUrl, '{ stakeRequesteds(first: 5000) { id } }');
    expect(tooMany.errors![0].message).to.match(/first.*between 0 and 1000/);
  });
});
