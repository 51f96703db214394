import {
  RedeemRequested as RedeemRequestedEvent,
  RedeemRevoked as RedeemRevokedEvent,
  RedeemRejected as RedeemRejectedEvent,
} from '../generated/RedeemPool/RedeemPool';
import {
  RedeemRequested,
  RedeemRevoked,
  RedeemRejected,
} from '../generated/schema';
import { eventId, setEventFields } from './event-fields';

export function handleRedeemRequested(event: RedeemRequestedEvent): void {
  const entity = new RedeemRequested(eventId(event));
  entity.amount = event.params.amount;
  entity.beneficiary = event.params.beneficiary;
  entity.gasPrice = event.params.gasPrice;
  entity.gasLimit = event.params.gasLimit;
  entity.nonce = event.params.nonce;
  entity.redeemer = event.params.redeemer;
  entity.redeemerProxy = event.params.redeemerProxy;
  entity.cogateway = event.params.cogateway;
  entity.redeemRequestHash = event.params.redeemRequestHash;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemRevoked(event: RedeemRevokedEvent): void {
  const entity = new RedeemRevoked(eventId(event));
  entity.redeemer = event.params.redeemer;
  entity.redeemRequestHash = event.params.redeemRequestHash;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemRejected(event: RedeemRejectedEvent): void {
  const entity = new RedeemRejected(eventId(event));
  entity.redeemer = event.params.redeemer;
  entity.redeemRequestHash = event.params.redeemRequestHash;
  setEventFields(entity, event);
  entity.save();
}
