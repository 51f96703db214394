import { Subject } from 'rxjs';
import type { MessageRecord } from '../../src/facilitation/model';
import type { StatusSource } from '../../src/status/status-source';

/** A status source of an active instance that holds nothing, but what `overrides` give (metrics and API tests). */
export function emptyStatusSource(overrides: Partial<StatusSource> = {}): StatusSource {
  return {
    role: () => 'active',
    stakeRequest: async () => undefined,
    stakeRequests: async () => [],
    stakeRequestCounts: async () => [],
    message: async () => undefined,
    messages: async () => [],
    messageCounts: async () => [],
    history: async () => [],
    waitingFor: async () => null,
    transactionsFor: async () => [],
    workers: async () => [],
    streams: async () => [],
    engineCounters: () => [],
    chains: async () => [],
    rpcEndpoints: () => [],
    messageChanges$: new Subject<MessageRecord>(),
    ...overrides,
  };
}
