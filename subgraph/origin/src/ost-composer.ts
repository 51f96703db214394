import {
  StakeRequested as StakeRequestedEvent,
  StakeRevoked as StakeRevokedEvent,
  StakeRejected as StakeRejectedEvent,
} from '../generated/OSTComposer/OSTComposer';
import {
  StakeRequested,
  StakeRevoked,
  StakeRejected,
} from '../generated/schema';
import { eventId, setEventFields } from './event-fields';

export function handleStakeRequested(event: StakeRequestedEvent): void {
  const entity = new StakeRequested(eventId(event));
  entity.amount = event.params.amount;
  entity.beneficiary = event.params.beneficiary;
  entity.gasPrice = event.params.gasPrice;
  entity.gasLimit = event.params.gasLimit;
  entity.nonce = event.params.nonce;
  entity.staker = event.params.staker;
  entity.stakerProxy = event.params.stakerProxy;
  entity.gateway = event.params.gateway;
  entity.stakeRequestHash = event.params.stakeRequestHash;
  setEventFields(entity, event);
  entity.save();
}

export function handleStakeRevoked(event: StakeRevokedEvent): void {
  const entity = new StakeRevoked(eventId(event));
  entity.staker = event.params.staker;
  entity.stakeRequestHash = event.params.stakeRequestHash;
  setEventFields(entity, event);
  entity.save();
}

export function handleStakeRejected(event: StakeRejectedEvent): void {
  const entity = new StakeRejected(eventId(event));
  entity.staker = event.params.staker;
  entity.stakeRequestHash = event.params.stakeRequestHash;
  setEventFields(entity, event);
  entity.save();
}
