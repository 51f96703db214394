import {
  StateRootAvailable as StateRootAvailableEvent,
} from '../generated/Anchor/Anchor';
import {
  StateRootAvailable,
} from '../generated/schema';
import { eventId, setEventFields } from './event-fields';

export function handleStateRootAvailable(event: StateRootAvailableEvent): void {
  const entity = new StateRootAvailable(eventId(event));
  entity.blockHeight = event.params._blockHeight;
  entity.stateRoot = event.params._stateRoot;
  setEventFields(entity, event);
  entity.save();
}
