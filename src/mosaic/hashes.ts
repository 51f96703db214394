import { randomBytes } from 'node:crypto';
import { encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';

/** keccak256 of a UTF-8 string, as Solidity's `keccak256(abi.encodePacked("..."))`. */
function typeHash(signature: string): string {
  return keccak256(new TextEncoder().encode(signature));
}

export const STAKE_INTENT_TYPEHASH = typeHash('StakeIntent(uint256 amount,address beneficiary,address gateway)');
export const MESSAGE_TYPEHASH = typeHash(
  'Message(bytes32 intentHash,uint256 nonce,uint256 gasPrice,uint256 gasLimit,address sender,bytes32 hashLock)',
);
export const STAKE_REQUEST_TYPEHASH = typeHash(
  'StakeRequest(uint256 amount,address beneficiary,uint256 gasPrice,uint256 gasLimit,uint256 nonce,address staker,address gateway)',
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

export interface MessageFields {
  intentHash: string;
  nonce: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  /** The message sender: for stakes through the composer, the staker's StakerProxy. */
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

/** The composer's stake request hash (its `stakeRequestHash` event parameter). */
export function stakeRequestHash(request: StakeRequestFields): string {
  return keccak256(
    encodeParameters(
      ['bytes32', 'uint256', 'address', 'uint256', 'uint256', 'uint256', 'address', 'address'],
      [
        STAKE_REQUEST_TYPEHASH,
        request.amount,
        request.beneficiary,
        request.gasPrice,
        request.gasLimit,
        request.nonce,
        request.staker,
        request.gateway,
      ],
    ),
  );
}

/** Storage slot of `messageBox.outbox[messageHash]` (the box sits at `offset`; inbox is slot + 1). */
export function messageBoxSlot(messageHashValue: string, offset: bigint): { outbox: string; inbox: string } {
  const base = BigInt(keccak256(encodeParameters(['bytes32', 'uint256'], [messageHashValue, offset])));
  const toSlot = (value: bigint) => `0x${value.toString(16).padStart(64, '0')}`;
  return { outbox: toSlot(base), inbox: toSlot(base + 1n) };
}
