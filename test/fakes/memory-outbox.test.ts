import { describeOutbox } from '../chain/tx-engine/outbox-contract';
import { MemoryOutbox } from './memory-outbox';

// The fake the unit tests use must behave as the SQL outbox does.
describeOutbox('in memory (the fake of the unit tests)', async () => ({ outbox: new MemoryOutbox(), close: async () => undefined }));
