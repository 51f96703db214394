import { describeFacilitationStore } from '../facilitation/facilitation-store-contract';
import { MemoryFacilitationStore } from './memory-facilitation-store';

// The fake the service tests use must behave as the SQL store does.
describeFacilitationStore('in memory (the fake of the unit tests)', async () => ({ store: new MemoryFacilitationStore(), close: async () => undefined }));
