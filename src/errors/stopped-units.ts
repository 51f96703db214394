import { messageOf } from './cause-chain';
import type { ErrorDetails } from './facilitator-error';
import { FacilitatorError } from './facilitator-error';

/** The kinds of long-running units a deterministic error stops. */
export type UnitKind = 'subgraph' | 'stream' | 'worker';

export interface StoppedUnit {
  kind: UnitKind;
  /** Subgraph name, stream name, or `<chainId>:<worker>`. */
  name: string;
  /** Why it stopped: the error's message. */
  reason: string;
  errorName: string;
  details?: ErrorDetails;
  /** When (ms since the epoch). */
  at: number;
}

/**
 * Units stopped by a non-retryable error, with the reason: what metrics and the status API report so an
 * operator is alerted. One per process (`stoppedUnits`), injectable for tests.
 */
export class StoppedUnits {
  private readonly units = new Map<string, StoppedUnit>();

  record(kind: UnitKind, name: string, error: unknown): StoppedUnit {
    const unit: StoppedUnit = {
      kind,
      name,
      reason: messageOf(error),
      errorName: error instanceof Error ? error.name : typeof error,
      details: error instanceof FacilitatorError ? error.details : undefined,
      at: Date.now(),
    };
    this.units.set(`${kind}/${name}`, unit);
    return unit;
  }

  /** Forgets a unit (it was restarted). */
  clear(kind: UnitKind, name: string): void {
    this.units.delete(`${kind}/${name}`);
  }

  get(kind: UnitKind, name: string): StoppedUnit | undefined {
    return this.units.get(`${kind}/${name}`);
  }

  list(kind?: UnitKind): StoppedUnit[] {
    return [...this.units.values()].filter((unit) => kind === undefined || unit.kind === kind);
  }
}

/** The process's stopped units. */
export const stoppedUnits = new StoppedUnits();
