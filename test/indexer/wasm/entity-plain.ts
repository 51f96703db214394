import { bytesToHex } from '../../../src/indexer/wasm/bytes';
import type { EntityData, StoreValue } from '../../../src/indexer/wasm/types';

/** A store value as a readable string (`Kind:value`), so deep-equal failures show what differs. */
export function plainValue(value: StoreValue): string {
  switch (value.kind) {
    case 'Null':
      return 'Null';
    case 'Bytes':
      return `Bytes:${bytesToHex(value.value)}`;
    case 'Array':
      return `Array:[${value.value.map(plainValue).join(',')}]`;
    default:
      return `${value.kind}:${String(value.value)}`;
  }
}

export function plainEntity(data: EntityData | undefined): Record<string, string> | undefined {
  return data && Object.fromEntries([...data].map(([field, value]) => [field, plainValue(value)]));
}
