import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeAbis } from '../../src/subgraph/abis';

describe('subgraph ABIs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'subgraph-abis-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each data source ABI of a side straight from @openst/mosaic-contracts', () => {
    const contracts = JSON.parse(
      readFileSync(require.resolve('@openst/mosaic-contracts/dist/contract_build/contracts.json'), 'utf8'),
    ) as Record<string, { abi: unknown }>;
    const origin = writeAbis('origin', dir);
    expect(origin.map((p) => basename(p))).to.deep.equal(['OSTComposer.json', 'EIP20Gateway.json', 'Anchor.json']);
    const auxiliary = writeAbis('auxiliary', dir);
    expect(auxiliary.map((p) => basename(p))).to.deep.equal(['EIP20CoGateway.json', 'Anchor.json', 'RedeemPool.json']);
    for (const path of [...origin, ...auxiliary]) {
      expect(path.startsWith(join(dir, 'abis'))).to.equal(true);
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.deep.equal(contracts[basename(path, '.json')].abi);
    }
  });
});
