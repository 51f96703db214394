import { NonRetryableError } from '../errors';
import type { StreamedEntityType } from './documents';
import type { StreamedEntity } from './entity-stream';

/**
 * One decoder per streamed entity type, mirroring graphql/subgraph/<Type>.graphql: graph-node JSON
 * (BigInt as decimal strings, Bytes as 0x-hex) in, typed values out (bigint, lowercase hex, boolean).
 * A malformed entity is refused here, naming the type, id and field, instead of deep in a handler.
 */

export type FieldKind = 'address' | 'bytes32' | 'bytes' | 'uint' | 'bool';
type ValueOf<K extends FieldKind> = K extends 'uint' ? bigint : K extends 'bool' ? boolean : string;

const COMMON = { blockNumber: 'uint', blockHash: 'bytes32', blockTimestamp: 'uint', contractAddress: 'address', transactionHash: 'bytes32', logIndex: 'uint' } as const;

const FIELDS = {
  StakeRequested: {
    amount: 'uint',
    beneficiary: 'address',
    gasPrice: 'uint',
    gasLimit: 'uint',
    nonce: 'uint',
    staker: 'address',
    stakerProxy: 'address',
    gateway: 'address',
    stakeRequestHash: 'bytes32',
  },
  StakeRevoked: { staker: 'address', stakeRequestHash: 'bytes32' },
  StakeRejected: { staker: 'address', stakeRequestHash: 'bytes32' },
  StakeIntentDeclared: { messageHash: 'bytes32', staker: 'address', stakerNonce: 'uint', beneficiary: 'address', amount: 'uint' },
  StakeProgressed: { messageHash: 'bytes32', staker: 'address', stakerNonce: 'uint', amount: 'uint', proofProgress: 'bool', unlockSecret: 'bytes32' },
  StakeIntentConfirmed: {
    messageHash: 'bytes32',
    staker: 'address',
    stakerNonce: 'uint',
    beneficiary: 'address',
    amount: 'uint',
    blockHeight: 'uint',
    hashLock: 'bytes32',
  },
  MintProgressed: {
    messageHash: 'bytes32',
    staker: 'address',
    beneficiary: 'address',
    stakeAmount: 'uint',
    mintedAmount: 'uint',
    rewardAmount: 'uint',
    proofProgress: 'bool',
    unlockSecret: 'bytes32',
  },
  RedeemRequested: {
    amount: 'uint',
    beneficiary: 'address',
    gasPrice: 'uint',
    gasLimit: 'uint',
    nonce: 'uint',
    redeemer: 'address',
    redeemerProxy: 'address',
    cogateway: 'address',
    redeemRequestHash: 'bytes32',
  },
  RedeemRevoked: { redeemer: 'address', redeemRequestHash: 'bytes32' },
  RedeemRejected: { redeemer: 'address', redeemRequestHash: 'bytes32' },
  RedeemIntentDeclared: { messageHash: 'bytes32', redeemer: 'address', redeemerNonce: 'uint', beneficiary: 'address', amount: 'uint' },
  RedeemProgressed: { messageHash: 'bytes32', redeemer: 'address', redeemerNonce: 'uint', amount: 'uint', proofProgress: 'bool', unlockSecret: 'bytes32' },
  RedeemIntentConfirmed: {
    messageHash: 'bytes32',
    redeemer: 'address',
    redeemerNonce: 'uint',
    beneficiary: 'address',
    amount: 'uint',
    blockHeight: 'uint',
    hashLock: 'bytes32',
  },
  UnstakeProgressed: {
    messageHash: 'bytes32',
    redeemer: 'address',
    beneficiary: 'address',
    redeemAmount: 'uint',
    unstakeAmount: 'uint',
    rewardAmount: 'uint',
    proofProgress: 'bool',
    unlockSecret: 'bytes32',
  },
  GatewayProven: { gateway: 'address', blockHeight: 'uint', storageRoot: 'bytes32', wasAlreadyProved: 'bool' },
  StateRootAvailable: { blockHeight: 'uint', stateRoot: 'bytes32' },
} as const satisfies Record<StreamedEntityType, Record<string, FieldKind>>;

type Fields<T extends StreamedEntityType> = typeof COMMON & (typeof FIELDS)[T];
export type EntityOf<T extends StreamedEntityType> = { id: string } & { -readonly [F in keyof Fields<T>]: ValueOf<Fields<T>[F] & FieldKind> };

/** A decoded entity with its type, for one `switch` over every streamed type. */
export type TypedEntity = { [T in StreamedEntityType]: { type: T; entity: EntityOf<T> } }[StreamedEntityType];

/** A malformed entity stays malformed: the stream that met it stops (with this reason) instead of retrying. */
export class EntityDecodeError extends NonRetryableError {
  override readonly name: string = 'EntityDecodeError';
  constructor(entityType: StreamedEntityType, id: string, field: string, problem: string) {
    super(`${entityType} ${id}: field ${field} ${problem}`, { details: { entityType, id, field } });
  }
}

const PATTERNS: Record<Exclude<FieldKind, 'uint' | 'bool'>, RegExp> = {
  address: /^0x[0-9a-fA-F]{40}$/,
  bytes32: /^0x[0-9a-fA-F]{64}$/,
  bytes: /^0x(?:[0-9a-fA-F]{2})*$/,
};

function decodeField(kind: FieldKind, value: unknown): bigint | boolean | string | undefined {
  if (kind === 'bool') return typeof value === 'boolean' ? value : undefined;
  if (kind === 'uint') return (typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ? BigInt(value) : undefined;
  return typeof value === 'string' && PATTERNS[kind].test(value) ? value.toLowerCase() : undefined;
}

/** The fields (and their kinds) decodeEntity reads for a type, besides `id`: what its .graphql document must select. */
export function entityFieldKinds(entityType: StreamedEntityType): Readonly<Record<string, FieldKind>> {
  return { ...COMMON, ...FIELDS[entityType] };
}

export function decodeEntity<T extends StreamedEntityType>(entityType: T, raw: StreamedEntity): EntityOf<T> {
  const spec = entityFieldKinds(entityType);
  const id = typeof raw.id === 'string' ? raw.id : String(raw.id);
  const decoded: Record<string, unknown> = { id };
  for (const [field, kind] of Object.entries(spec)) {
    const value = decodeField(kind, raw[field]);
    if (value === undefined) throw new EntityDecodeError(entityType, id, field, `is not a valid ${kind} (got ${JSON.stringify(raw[field]) ?? 'nothing'})`);
    decoded[field] = value;
  }
  return decoded as EntityOf<T>;
}

export function typedEntity(entityType: StreamedEntityType, raw: StreamedEntity): TypedEntity {
  return { type: entityType, entity: decodeEntity(entityType, raw) } as TypedEntity;
}
