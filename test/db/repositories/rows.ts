import type { NewMessage, NewStakeRequest } from '../../../src/db/repositories';

export const hex = (byte: string, bytes: number) => `0x${byte.repeat(bytes)}`;

export function stakeRequest(overrides: Partial<NewStakeRequest> = {}): NewStakeRequest {
  return {
    stakeRequestHash: hex('11', 32),
    originChainId: 1337,
    composer: hex('c0', 20),
    gateway: hex('9a', 20),
    staker: hex('5a', 20),
    stakerProxy: hex('5b', 20),
    amount: 10n ** 30n,
    beneficiary: hex('be', 20),
    gasPrice: '1',
    gasLimit: 2n,
    nonce: 0,
    blockNumber: 10n,
    transactionHash: hex('77', 32),
    ...overrides,
  };
}

export function message(overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    messageHash: hex('ee', 32),
    stakeRequestHash: hex('11', 32),
    gateway: hex('9a', 20),
    coGateway: hex('9b', 20),
    sender: hex('5b', 20),
    staker: hex('5a', 20),
    nonce: 0n,
    amount: 10n ** 30n,
    beneficiary: hex('be', 20),
    gasPrice: 1n,
    gasLimit: 2n,
    hashLock: hex('4c', 32),
    unlockSecret: hex('5e', 32),
    worker: hex('a1', 20),
    ...overrides,
  };
}
