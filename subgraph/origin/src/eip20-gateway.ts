import {
  StakeIntentDeclared as StakeIntentDeclaredEvent,
  StakeProgressed as StakeProgressedEvent,
  RevertStakeIntentDeclared as RevertStakeIntentDeclaredEvent,
  StakeReverted as StakeRevertedEvent,
  GatewayProven as GatewayProvenEvent,
  RedeemIntentConfirmed as RedeemIntentConfirmedEvent,
  UnstakeProgressed as UnstakeProgressedEvent,
  RevertRedeemIntentConfirmed as RevertRedeemIntentConfirmedEvent,
  RevertRedeemComplete as RevertRedeemCompleteEvent,
  BountyChangeInitiated as BountyChangeInitiatedEvent,
  BountyChangeConfirmed as BountyChangeConfirmedEvent,
} from '../generated/EIP20Gateway/EIP20Gateway';
import {
  StakeIntentDeclared,
  StakeProgressed,
  RevertStakeIntentDeclared,
  StakeReverted,
  GatewayProven,
  RedeemIntentConfirmed,
  UnstakeProgressed,
  RevertRedeemIntentConfirmed,
  RevertRedeemComplete,
  BountyChangeInitiated,
  BountyChangeConfirmed,
} from '../generated/schema';
import { eventId, setEventFields } from './event-fields';

export function handleStakeIntentDeclared(event: StakeIntentDeclaredEvent): void {
  const entity = new StakeIntentDeclared(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.beneficiary = event.params._beneficiary;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleStakeProgressed(event: StakeProgressedEvent): void {
  const entity = new StakeProgressed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.amount = event.params._amount;
  entity.proofProgress = event.params._proofProgress;
  entity.unlockSecret = event.params._unlockSecret;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertStakeIntentDeclared(event: RevertStakeIntentDeclaredEvent): void {
  const entity = new RevertStakeIntentDeclared(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleStakeReverted(event: StakeRevertedEvent): void {
  const entity = new StakeReverted(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleGatewayProven(event: GatewayProvenEvent): void {
  const entity = new GatewayProven(eventId(event));
  entity.gateway = event.params._gateway;
  entity.blockHeight = event.params._blockHeight;
  entity.storageRoot = event.params._storageRoot;
  entity.wasAlreadyProved = event.params._wasAlreadyProved;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemIntentConfirmed(event: RedeemIntentConfirmedEvent): void {
  const entity = new RedeemIntentConfirmed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.beneficiary = event.params._beneficiary;
  entity.amount = event.params._amount;
  entity.blockHeight = event.params._blockHeight;
  entity.hashLock = event.params._hashLock;
  setEventFields(entity, event);
  entity.save();
}

export function handleUnstakeProgressed(event: UnstakeProgressedEvent): void {
  const entity = new UnstakeProgressed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.beneficiary = event.params._beneficiary;
  entity.redeemAmount = event.params._redeemAmount;
  entity.unstakeAmount = event.params._unstakeAmount;
  entity.rewardAmount = event.params._rewardAmount;
  entity.proofProgress = event.params._proofProgress;
  entity.unlockSecret = event.params._unlockSecret;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertRedeemIntentConfirmed(event: RevertRedeemIntentConfirmedEvent): void {
  const entity = new RevertRedeemIntentConfirmed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertRedeemComplete(event: RevertRedeemCompleteEvent): void {
  const entity = new RevertRedeemComplete(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleBountyChangeInitiated(event: BountyChangeInitiatedEvent): void {
  const entity = new BountyChangeInitiated(eventId(event));
  entity.currentBounty = event.params._currentBounty;
  entity.proposedBounty = event.params._proposedBounty;
  entity.unlockHeight = event.params._unlockHeight;
  setEventFields(entity, event);
  entity.save();
}

export function handleBountyChangeConfirmed(event: BountyChangeConfirmedEvent): void {
  const entity = new BountyChangeConfirmed(eventId(event));
  entity.currentBounty = event.params._currentBounty;
  entity.changedBounty = event.params._changedBounty;
  setEventFields(entity, event);
  entity.save();
}
