import { expect } from 'chai';
import { decodeParameters, encodeEventSignature, encodeParameter, encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import {
  EthValueKind,
  eventDecoder,
  eventSignature,
  eventTopic0,
  manifestEventSignature,
  type AbiEvent,
  type AbiParam,
  type EthValue,
} from '../../../src/indexer/wasm/abi-decoder';
import { bytesToHex } from '../../../src/indexer/wasm/bytes';
import { abiOf } from '../../../src/mosaic/artifacts';

type Plain = string | bigint | boolean | Plain[];

/** Our decoded value in a comparable form. */
function plain(value: EthValue): Plain {
  switch (value.kind) {
    case EthValueKind.Address:
    case EthValueKind.FixedBytes:
    case EthValueKind.Bytes:
      return bytesToHex(value.bytes);
    case EthValueKind.Int:
    case EthValueKind.Uint:
      return value.int;
    case EthValueKind.Bool:
      return value.bool;
    case EthValueKind.String:
      return value.str;
    default:
      return value.items.map(plain);
  }
}

/** web3-eth-abi's decoded value in the same form. */
function web3Plain(param: AbiParam, value: unknown): Plain {
  const array = /^(.*)\[\d*\]$/.exec(param.type);
  if (array) return (value as unknown[]).map((item) => web3Plain({ ...param, type: array[1] }, item));
  if (param.type === 'tuple') return (param.components ?? []).map((c, i) => web3Plain(c, (value as Record<number, unknown>)[i]));
  if (typeof value === 'string' && param.type !== 'string') return value.toLowerCase();
  return value as Plain;
}

const KIND_CASES: Array<{ param: AbiParam; value: unknown; kind: EthValueKind }> = [
  { param: { name: 'a', type: 'uint8' }, value: 255n, kind: EthValueKind.Uint },
  { param: { name: 'b', type: 'int256' }, value: -(2n ** 200n) - 3n, kind: EthValueKind.Int },
  { param: { name: 'c', type: 'int16' }, value: -2n, kind: EthValueKind.Int },
  { param: { name: 'd', type: 'uint256' }, value: 2n ** 256n - 1n, kind: EthValueKind.Uint },
  { param: { name: 'e', type: 'address' }, value: '0x00000000000000000000000000000000000000aB', kind: EthValueKind.Address },
  { param: { name: 'f', type: 'bool' }, value: true, kind: EthValueKind.Bool },
  { param: { name: 'g', type: 'bytes' }, value: '0x0102030405', kind: EthValueKind.Bytes },
  { param: { name: 'h', type: 'bytes1' }, value: '0x7f', kind: EthValueKind.FixedBytes },
  { param: { name: 'i', type: 'bytes32' }, value: `0x${'ab'.repeat(32)}`, kind: EthValueKind.FixedBytes },
  { param: { name: 'j', type: 'string' }, value: 'héllo ✓ wörld', kind: EthValueKind.String },
  { param: { name: 'k', type: 'uint256[]' }, value: [1n, 2n ** 130n, 0n], kind: EthValueKind.Array },
  { param: { name: 'l', type: 'string[]' }, value: ['', 'x', 'longer string that takes more than one word of thirty-two bytes'], kind: EthValueKind.Array },
  { param: { name: 'm', type: 'bytes32[2]' }, value: [`0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`], kind: EthValueKind.FixedArray },
  { param: { name: 'n', type: 'uint16[2][]' }, value: [[1n, 2n], [3n, 4n]], kind: EthValueKind.Array },
  {
    param: { name: 'o', type: 'tuple', components: [{ name: 'x', type: 'uint256' }, { name: 'y', type: 'bytes' }, { name: 'z', type: 'address[]' }] },
    value: [9n, '0xdeadbeef', ['0x0000000000000000000000000000000000000001']],
    kind: EthValueKind.Tuple,
  },
  {
    param: { name: 'p', type: 'tuple[]', components: [{ name: 'x', type: 'bool' }, { name: 'y', type: 'string' }] },
    value: [[true, 'a'], [false, 'bb']],
    kind: EthValueKind.Array,
  },
  { param: { name: 'q', type: 'bool' }, value: false, kind: EthValueKind.Bool },
];

describe('event ABI decoder', () => {
  it('decodes every ABI type as web3-eth-abi does, with graph-node value kinds', () => {
    const inputs = KIND_CASES.map((c) => c.param);
    const event: AbiEvent = { type: 'event', name: 'Everything', inputs };
    const data = encodeParameters(inputs, KIND_CASES.map((c) => c.value));
    const reference = decodeParameters(inputs, data);
    const params = eventDecoder(event).decode([eventTopic0(event)], data);
    expect(params.map((p) => p.name)).to.deep.equal(inputs.map((i) => i.name));
    params.forEach((p, i) => {
      expect(p.value.kind, p.name).to.equal(KIND_CASES[i].kind);
      expect(plain(p.value), p.name).to.deep.equal(web3Plain(inputs[i], reference[i]));
    });
  });

  it('reads indexed parameters from topics; indexed reference types are their keccak256 hash', () => {
    const event: AbiEvent = {
      type: 'event',
      name: 'Mixed',
      inputs: [
        { name: 'who', type: 'address', indexed: true },
        { name: 'amount', type: 'uint256', indexed: false },
        { name: 'tag', type: 'string', indexed: true },
        { name: 'delta', type: 'int64', indexed: true },
        { name: 'note', type: 'string', indexed: false },
      ],
    };
    expect(eventSignature(event)).to.equal('Mixed(address,uint256,string,int64,string)');
    expect(manifestEventSignature(event)).to.equal('Mixed(indexed address,uint256,indexed string,indexed int64,string)');
    expect(eventTopic0(event)).to.equal(encodeEventSignature('Mixed(address,uint256,string,int64,string)'));
    const topics = [eventTopic0(event), encodeParameter('address', '0x' + 'ab'.repeat(20)), keccak256('tagged'), encodeParameter('int64', -5n)];
    const params = eventDecoder(event).decode(topics, encodeParameters(['uint256', 'string'], [7n, 'n']));
    expect(params.map((p) => [p.name, p.value.kind, plain(p.value)])).to.deep.equal([
      ['who', EthValueKind.Address, '0x' + 'ab'.repeat(20)],
      ['amount', EthValueKind.Uint, 7n],
      ['tag', EthValueKind.FixedBytes, keccak256('tagged')],
      ['delta', EthValueKind.Int, -5n],
      ['note', EthValueKind.String, 'n'],
    ]);
  });

  it('canonicalizes tuple signatures and matches the Mosaic topics', () => {
    const event: AbiEvent = {
      type: 'event',
      name: 'T',
      inputs: [{ name: 'p', type: 'tuple[]', indexed: false, components: [{ name: 'a', type: 'uint256' }, { name: 'b', type: 'address' }] }],
    };
    expect(eventSignature(event)).to.equal('T((uint256,address)[])');
    const stakeRequested = (abiOf('OSTComposer') as unknown as AbiEvent[]).find((e) => e.name === 'StakeRequested') as AbiEvent;
    expect(eventTopic0(stakeRequested)).to.equal(
      encodeEventSignature('StakeRequested(uint256,address,uint256,uint256,uint256,address,address,address,bytes32)'),
    );
  });

  it('refuses logs that do not fit the event', () => {
    const event: AbiEvent = { type: 'event', name: 'E', inputs: [{ name: 'a', type: 'address', indexed: true }, { name: 'b', type: 'bytes', indexed: false }] };
    const decoder = eventDecoder(event);
    const topic1 = encodeParameter('address', '0x' + '01'.repeat(20));
    const data = encodeParameters(['bytes'], ['0x0102']);
    expect(() => decoder.decode([decoder.topic0], data)).to.throw('E(address,bytes) has 1 indexed parameters, the log 0');
    expect(() => decoder.decode([decoder.topic0, topic1], data.slice(0, 66))).to.throw(/ABI data too short|overrun/);
    const hugeOffset = `0x${'ff'.repeat(32)}`;
    expect(() => decoder.decode([decoder.topic0, topic1], hugeOffset)).to.throw('beyond');
    expect(() => decoder.decode([decoder.topic0, '0x01'], data)).to.throw('topic of a is not 32 bytes');
    expect(() => eventDecoder({ type: 'event', name: 'F', inputs: [{ name: 'x', type: 'fixed128x18' }] })).to.throw('unsupported ABI type fixed128x18');
  });
});
