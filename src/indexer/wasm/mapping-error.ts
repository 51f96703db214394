import { NonRetryableError } from '../../errors/facilitator-error';

/** A handler failed (abort, trap, invalid entity): deterministic for this block and subgraph. */
export class MappingError extends NonRetryableError {
  override readonly name: string = 'MappingError';

  constructor(
    message: string,
    readonly dataSource: string,
    readonly handler: string,
    readonly blockNumber: bigint,
    readonly transactionHash: string | undefined,
    readonly logIndex: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause, details: { dataSource, handler, blockNumber: Number(blockNumber), transactionHash, logIndex } });
  }
}
