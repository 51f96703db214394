import { randomBytes } from 'node:crypto';
import { encodeParameter, encodeParameters } from 'web3-eth-abi';
import { encodePacked, keccak256 } from 'web3-utils';

/** Mosaic 0.12 type hashes are `keccak256(abi.encode("..."))`: ABI-encoded strings, not packed bytes. */
function typeHash(signature: string): string {
  return keccak256(encodeParameter('string', signature));
}

export const STAKE_INTENT_TYPEHASH = typeHash('StakeIntent(uint256 amount,address beneficiary,address gateway)');
export const MESSAGE_TYPEHASH = typeHash(
  'Message(bytes32 intentHash,uint256 nonce,uint256 gasPrice,uint256 gasLimit,address sender,bytes32 hashLock)',
);
export const STAKE_REQUEST_TYPEHASH = typeHash(
  'StakeRequest(uint256 amount,address beneficiary,uint256 gasPrice,uint256 gasLimit,uint256 nonce,address staker,address gateway)',
);
export const REDEEM_INTENT_TYPEHASH = typeHash('RedeemIntent(uint256 amount,address beneficiary,address gateway)');
export const REDEEM_REQUEST_TYPEHASH = typeHash(
  'RedeemRequest(uint256 amount,address beneficiary,uint256 gasPrice,uint256 gasLimit,uint256 nonce,address redeemer,address cogateway)',
);

export interface HashLockPair {
  /** 32 random bytes, 0x-hex. Secret until progressStake/progressMint reveal it on-chain. */
  unlockSecret: string;
  hashLock: string;
}

/** A fresh unlock secret from the OS CSPRNG and its hash lock. */
export function generateHashLock(): HashLockPair {
  const unlockSecret = `0x${randomBytes(32).toString('hex')}`;
  return { unlockSecret, hashLock: hashLockOf(unlockSecret) };
}

export function hashLockOf(unlockSecret: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(unlockSecret)) throw new Error('an unlock secret must be 32 bytes of 0x-hex');
  return keccak256(unlockSecret);
}

export function stakeIntentHash(amount: bigint, beneficiary: string, gateway: string): string {
  return keccak256(
    encodeParameters(['bytes32', 'uint256', 'address', 'address'], [STAKE_INTENT_TYPEHASH, amount, beneficiary, gateway]),
  );
}

/** The cogateway's redeem intent hash; `coGateway` is the gateway of the intent (the auxiliary side). */
export function redeemIntentHash(amount: bigint, beneficiary: string, coGateway: string): string {
  return keccak256(
    encodeParameters(['bytes32', 'uint256', 'address', 'address'], [REDEEM_INTENT_TYPEHASH, amount, beneficiary, coGateway]),
  );
}

export interface MessageFields {
  intentHash: string;
  nonce: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  /** The message sender: the staker's StakerProxy (stakes through the composer), the redeemer's RedeemerProxy (redeems through the pool). */
  sender: string;
  hashLock: string;
}

export function messageHash(message: MessageFields): string {
  return keccak256(
    encodeParameters(
      ['bytes32', 'bytes32', 'uint256', 'uint256', 'uint256', 'address', 'bytes32'],
      [MESSAGE_TYPEHASH, message.intentHash, message.nonce, message.gasPrice, message.gasLimit, message.sender, message.hashLock],
    ),
  );
}

export interface StakeRequestFields {
  amount: bigint;
  beneficiary: string;
  gasPrice: bigint;
  gasLimit: bigint;
  nonce: bigint;
  staker: string;
  gateway: string;
}

const EIP712_DOMAIN_TYPEHASH = keccak256(new TextEncoder().encode('EIP712Domain(address verifyingContract)'));

/**
 * keccak256(0x19 ‖ 0x01 ‖ domainSeparator(verifyingContract) ‖ keccak256(packed(typehash, fields…))):
 * how OSTComposer and RedeemPool hash their requests (packed struct fields, not abi.encode).
 */
function eip712RequestHash(verifyingContract: string, typehash: string, fields: ReadonlyArray<{ type: 'uint256' | 'address'; value: bigint | string }>): string {
  const structHash = keccak256(encodePacked({ type: 'bytes32', value: typehash }, ...fields));
  const domainSeparator = keccak256(encodeParameters(['bytes32', 'address'], [EIP712_DOMAIN_TYPEHASH, verifyingContract]));
  return keccak256(
    encodePacked(
      { type: 'bytes1', value: '0x19' },
      { type: 'bytes1', value: '0x01' },
      { type: 'bytes32', value: domainSeparator },
      { type: 'bytes32', value: structHash },
    ),
  );
}

/** The composer's stake request hash (its `stakeRequestHash` event parameter). */
export function stakeRequestHash(request: StakeRequestFields, composer: string): string {
  return eip712RequestHash(composer, STAKE_REQUEST_TYPEHASH, [
    { type: 'uint256', value: request.amount },
    { type: 'address', value: request.beneficiary },
    { type: 'uint256', value: request.gasPrice },
    { type: 'uint256', value: request.gasLimit },
    { type: 'uint256', value: request.nonce },
    { type: 'address', value: request.staker },
    { type: 'address', value: request.gateway },
  ]);
}

export interface RedeemRequestFields {
  amount: bigint;
  beneficiary: string;
  gasPrice: bigint;
  gasLimit: bigint;
  nonce: bigint;
  /** The redeemer's own address (not its RedeemerProxy). */
  redeemer: string;
  cogateway: string;
}

/** The redeem pool's request hash (its `redeemRequestHash` event parameter, = RedeemPool.hashRedeemRequest). */
export function redeemRequestHash(request: RedeemRequestFields, redeemPool: string): string {
  return eip712RequestHash(redeemPool, REDEEM_REQUEST_TYPEHASH, [
    { type: 'uint256', value: request.amount },
    { type: 'address', value: request.beneficiary },
    { type: 'uint256', value: request.gasPrice },
    { type: 'uint256', value: request.gasLimit },
    { type: 'uint256', value: request.nonce },
    { type: 'address', value: request.redeemer },
    { type: 'address', value: request.cogateway },
  ]);
}

/** Storage slot of `messageBox.outbox[messageHash]` (the box sits at `offset`; inbox is slot + 1). */
export function messageBoxSlot(messageHashValue: string, offset: bigint): { outbox: string; inbox: string } {
  const base = BigInt(keccak256(encodeParameters(['bytes32', 'uint256'], [messageHashValue, offset])));
  const toSlot = (value: bigint) => `0x${value.toString(16).padStart(64, '0')}`;
  return { outbox: toSlot(base), inbox: toSlot(base + 1n) };
}
