import { expect } from 'chai';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, keccak256 } from 'web3-utils';
import { ChainClient } from '../../src/chain/chain-client';
import { Eip20CoGateway } from '../../src/mosaic/contracts';
import { ProofRootMismatchError, proveCoGatewayOutbox } from '../../src/mosaic/redeem-proofs';
import { FakeJsonRpc } from '../fakes/fake-json-rpc';

const COGATEWAY = '0x00000000000000000000000000000000000000c0';
const MESSAGE = `0x${'ab'.repeat(32)}`;

/** A one-node account proof (the leaf is the root) and a one-node storage proof. */
const accountLeaf = bytesToHex(RLP.encode([Uint8Array.from([0x20]), RLP.encode([1, 2, new Uint8Array(32), new Uint8Array(32)])]));
const storageLeaf = bytesToHex(RLP.encode([Uint8Array.from([0x20]), RLP.encode(1)]));

/** eth_getProof and eth_getBlockByNumber on top of the fake's eth_call. */
class ProvingRpc extends FakeJsonRpc {
  stateRoot = keccak256(accountLeaf);
  /** Proofs answered for another state first (anvil at its head), and the head the node reports. */
  mismatches = 0;

  override async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    if (method === 'eth_getProof') {
      this.requests.push({ method, params });
      const slots = params[1] as string[];
      const leaf = this.mismatches-- > 0 ? storageLeaf : accountLeaf;
      return {
        address: COGATEWAY,
        accountProof: [leaf],
        balance: '0x2',
        codeHash: `0x${'00'.repeat(32)}`,
        nonce: '0x1',
        storageHash: `0x${'00'.repeat(32)}`,
        storageProof: slots.map((key) => ({ key, value: '0x1', proof: [storageLeaf] })),
      } as T;
    }
    if (method === 'eth_blockNumber') return `0x${(this.head++).toString(16)}` as T;
    if (method === 'eth_getBlockByNumber') {
      return { number: params[0], hash: `0x${'11'.repeat(32)}`, parentHash: `0x${'10'.repeat(32)}`, stateRoot: this.stateRoot, timestamp: '0x1', gasLimit: '0x1', transactions: [] } as T;
    }
    return super.request<T>(method, params);
  }
}

describe('cogateway outbox proofs', () => {
  const rpc = new ProvingRpc(1405).contract(COGATEWAY, 'EIP20CoGateway', { MESSAGE_BOX_OFFSET: () => 9n });
  const coGateway = new Eip20CoGateway(new ChainClient(rpc, 1405), COGATEWAY);

  it('proves the outbox slots at a height whose state root the account proof leads to', async () => {
    rpc.stateRoot = keccak256(accountLeaf);
    const proof = await proveCoGatewayOutbox(coGateway.client, coGateway, [MESSAGE], 42n);
    expect(proof.blockNumber).to.equal(42n);
    expect(proof.storage.map((s) => s.value)).to.deep.equal([1n]);
    const getProof = rpc.requests.find((r) => r.method === 'eth_getProof');
    expect(getProof?.params[2], 'proven at the asked height, not latest').to.equal('0x2a');
  });

  it('asks again once a block is mined above the height when the first proof was for another state (anvil at its head)', async () => {
    rpc.stateRoot = keccak256(accountLeaf);
    rpc.mismatches = 1;
    rpc.head = 41n; // the height is the head: the next block is 43, two polls later
    rpc.requests.length = 0;
    const proof = await proveCoGatewayOutbox(coGateway.client, coGateway, [MESSAGE], 42n);
    expect(proof.blockNumber).to.equal(42n);
    expect(rpc.requests.filter((r) => r.method === 'eth_getProof')).to.have.length(2);
    expect(Number(rpc.head), 'asked again only with the head above the height').to.be.greaterThan(43);
  });

  it("refuses a proof that does not lead to the block's state root (anvil answering for another state)", async () => {
    rpc.stateRoot = `0x${'99'.repeat(32)}`;
    const refused = await proveCoGatewayOutbox(coGateway.client, coGateway, [MESSAGE], 42n).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ProofRootMismatchError);
    expect((refused as ProofRootMismatchError).height).to.equal(42n);
  });
});
