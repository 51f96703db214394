import {
  StakeIntentConfirmed as StakeIntentConfirmedEvent,
  MintProgressed as MintProgressedEvent,
  RevertStakeIntentConfirmed as RevertStakeIntentConfirmedEvent,
  RevertStakeProgressed as RevertStakeProgressedEvent,
  RedeemIntentDeclared as RedeemIntentDeclaredEvent,
  RedeemProgressed as RedeemProgressedEvent,
  RevertRedeemDeclared as RevertRedeemDeclaredEvent,
  RedeemReverted as RedeemRevertedEvent,
  GatewayProven as GatewayProvenEvent,
  BountyChangeInitiated as BountyChangeInitiatedEvent,
  BountyChangeConfirmed as BountyChangeConfirmedEvent,
} from '../generated/EIP20CoGateway/EIP20CoGateway';
import {
  StakeIntentConfirmed,
  MintProgressed,
  RevertStakeIntentConfirmed,
  RevertStakeProgressed,
  RedeemIntentDeclared,
  RedeemProgressed,
  RevertRedeemDeclared,
  RedeemReverted,
  GatewayProven,
  BountyChangeInitiated,
  BountyChangeConfirmed,
} from '../generated/schema';
import { eventId, setEventFields } from './event-fields';

export function handleStakeIntentConfirmed(event: StakeIntentConfirmedEvent): void {
  const entity = new StakeIntentConfirmed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.beneficiary = event.params._beneficiary;
  entity.amount = event.params._amount;
  entity.blockHeight = event.params._blockHeight;
  entity.hashLock = event.params._hashLock;
  setEventFields(entity, event);
  entity.save();
}

export function handleMintProgressed(event: MintProgressedEvent): void {
  const entity = new MintProgressed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.beneficiary = event.params._beneficiary;
  entity.stakeAmount = event.params._stakeAmount;
  entity.mintedAmount = event.params._mintedAmount;
  entity.rewardAmount = event.params._rewardAmount;
  entity.proofProgress = event.params._proofProgress;
  entity.unlockSecret = event.params._unlockSecret;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertStakeIntentConfirmed(event: RevertStakeIntentConfirmedEvent): void {
  const entity = new RevertStakeIntentConfirmed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertStakeProgressed(event: RevertStakeProgressedEvent): void {
  const entity = new RevertStakeProgressed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.staker = event.params._staker;
  entity.stakerNonce = event.params._stakerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemIntentDeclared(event: RedeemIntentDeclaredEvent): void {
  const entity = new RedeemIntentDeclared(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.beneficiary = event.params._beneficiary;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemProgressed(event: RedeemProgressedEvent): void {
  const entity = new RedeemProgressed(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.amount = event.params._amount;
  entity.proofProgress = event.params._proofProgress;
  entity.unlockSecret = event.params._unlockSecret;
  setEventFields(entity, event);
  entity.save();
}

export function handleRevertRedeemDeclared(event: RevertRedeemDeclaredEvent): void {
  const entity = new RevertRedeemDeclared(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
  entity.amount = event.params._amount;
  setEventFields(entity, event);
  entity.save();
}

export function handleRedeemReverted(event: RedeemRevertedEvent): void {
  const entity = new RedeemReverted(eventId(event));
  entity.messageHash = event.params._messageHash;
  entity.redeemer = event.params._redeemer;
  entity.redeemerNonce = event.params._redeemerNonce;
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
