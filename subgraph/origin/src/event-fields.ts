import { Entity, ethereum, Value } from '@graphprotocol/graph-ts';

/** Entity id of an event: `<transaction hash>-<log index>`, unique per chain. */
export function eventId(event: ethereum.Event): string {
  return event.transaction.hash.toHexString() + '-' + event.logIndex.toString();
}

/** The fields every event entity has: where and when the event was emitted. */
export function setEventFields(entity: Entity, event: ethereum.Event): void {
  entity.set('blockNumber', Value.fromBigInt(event.block.number));
  entity.set('blockHash', Value.fromBytes(event.block.hash));
  entity.set('blockTimestamp', Value.fromBigInt(event.block.timestamp));
  entity.set('contractAddress', Value.fromBytes(event.address));
  entity.set('transactionHash', Value.fromBytes(event.transaction.hash));
  entity.set('logIndex', Value.fromBigInt(event.logIndex));
}
