import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { TransactionEngine } from '../chain/tx-engine/transaction-engine';
import type { ContractCall } from '../mosaic/contracts';
import { decodeStep, encodeStep, STEP_PURPOSES, type FacilitationStep, type StepKind } from './steps';

/** The part of a transaction engine the services use: steps in, records out. */
export type StepEngine = Pick<TransactionEngine, 'submit' | 'find' | 'unsettled' | 'waitFor'>;

/** Queues `call` as `step` for `worker` (idempotent: a step already queued is returned as it is). */
export function submitStep(
  engine: StepEngine,
  worker: string,
  step: FacilitationStep,
  call: ContractCall,
): Promise<{ record: OutboxRecord; created: boolean }> {
  return engine.submit({ worker, ...encodeStep(step), to: call.to, data: call.data, value: call.value ?? 0n, gas: call.gas });
}

/** The outbox record of a step, if it was ever queued. */
export function findStep(engine: StepEngine, step: FacilitationStep): Promise<OutboxRecord | undefined> {
  const { purpose, subject } = encodeStep(step);
  return engine.find(purpose, subject);
}

/** Steps of one kind queued or in flight, with their records. */
export async function unsettledSteps<K extends StepKind>(
  engine: StepEngine,
  kind: K,
): Promise<Array<{ record: OutboxRecord; step: Extract<FacilitationStep, { kind: K }> }>> {
  const records = await engine.unsettled(STEP_PURPOSES[kind]);
  return records.map((record) => ({ record, step: decodeStep(record) as Extract<FacilitationStep, { kind: K }> }));
}
