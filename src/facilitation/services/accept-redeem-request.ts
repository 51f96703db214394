import { RevertError } from '../../chain/errors';
import { redeemIntentHash } from '../../mosaic/hashes';
import type { FacilitationContext } from '../context';
import type { StakeRequestRecord } from '../model';
import { redeemRoute } from '../route';
import type { WorkerPool } from '../worker-pool';
import { AcceptService, messageForRequest, policyRefusal, type Acceptor } from './accept-request';

/** cogateway.redeem's refusal while the redeemer proxy's previous message is still open: wait, do not fail. */
const PREVIOUS_NOT_COMPLETED = /Previous process is not completed/i;

/**
 * Redeem requests (auxiliary RedeemPool): the accepting worker pays the cogateway's bounty in base coin
 * as the accept's value (returned to whoever progresses the redeem).
 */
export function redeemAcceptor(context: FacilitationContext, workers: WorkerPool): Acceptor {
  const { origin, auxiliary, policy } = context;
  const pool = auxiliary.redeemPool;
  const pending = (request: StakeRequestRecord) => ({ ...request, redeemer: request.staker, cogateway: request.gateway });
  return {
    route: redeemRoute(context),
    refusal: (request) => policyRefusal(context, request, auxiliary.coGateway.address) ?? unacceptableAmount(request),
    bounty: () => auxiliary.coGateway.bounty(),
    chooseWorker: (bounty) => workers.choose({ minGasBalance: policy.minWorkerGasBalance + bounty }),
    newMessage: (request, worker) =>
      messageForRequest(request, worker, {
        direction: 'REDEEM',
        gateway: origin.gateway.address,
        coGateway: auxiliary.coGateway.address,
        intentHash: redeemIntentHash(request.amount, request.beneficiary, auxiliary.coGateway.address),
      }),
    mustWait: async (request, message, bounty) => {
      if (request.nonce === 0n) return undefined; // the proxy's first message: nothing before it
      const call = pool.acceptRedeemRequest({ ...pending(request), hashLock: message.hashLock }, bounty);
      try {
        await auxiliary.client.call({ from: message.worker, to: call.to, data: call.data, value: call.value, gas: call.gas }, 'latest', 'acceptRedeemRequest');
        return undefined;
      } catch (error) {
        if (error instanceof RevertError && PREVIOUS_NOT_COMPLETED.test(error.reason ?? '')) return 'the redeemer\u2019s previous message is not completed yet';
        return undefined; // the engine's own simulation records any other revert
      }
    },
    beforeSend: () => Promise.resolve(),
    call: (request, message, bounty) => pool.acceptRedeemRequest({ ...pending(request), hashLock: message.hashLock }, bounty),
  };
}

/** cogateway.redeem requires amount > gasPrice × gasLimit: such a request can be made but never accepted. */
function unacceptableAmount(request: StakeRequestRecord): string | undefined {
  const reward = request.gasPrice * request.gasLimit;
  if (request.amount > reward) return undefined;
  return `amount ${request.amount} does not exceed gasPrice × gasLimit (${reward}): the cogateway refuses such a redeem`;
}

/** REQUESTED → ACCEPTING for redeem requests (see AcceptService). */
export class AcceptRedeemRequestService extends AcceptService {
  constructor(context: FacilitationContext, workers: WorkerPool) {
    super(context, redeemAcceptor(context, workers));
  }
}
