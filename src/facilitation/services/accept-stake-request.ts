import { stakeIntentHash } from '../../mosaic/hashes';
import type { FacilitationContext } from '../context';
import { stakeRoute } from '../route';
import type { WorkerPool } from '../worker-pool';
import { AcceptService, messageForRequest, policyRefusal, type Acceptor } from './accept-request';
import { BountyAllowance } from './bounty-allowance';

export { MAX_ACCEPT_ATTEMPTS } from './accept-attempts';

/**
 * Stake requests (origin composer): the accepting worker locks the gateway's bounty in OST, pulled with
 * transferFrom, so its allowance to the composer is kept ahead of its accepts.
 */
export function stakeAcceptor(context: FacilitationContext, workers: WorkerPool): Acceptor {
  const { origin, auxiliary, policy } = context;
  const allowance = new BountyAllowance(context);
  return {
    route: stakeRoute(context),
    refusal: (request) => policyRefusal(context, request, origin.gateway.address),
    bounty: () => origin.gateway.bounty(),
    chooseWorker: (bounty) => workers.choose({ minGasBalance: policy.minWorkerGasBalance, minTokenBalance: bounty }),
    newMessage: (request, worker) =>
      messageForRequest(request, worker, {
        direction: 'STAKE',
        gateway: origin.gateway.address,
        coGateway: auxiliary.coGateway.address,
        intentHash: stakeIntentHash(request.amount, request.beneficiary, request.gateway),
      }),
    mustWait: () => Promise.resolve(undefined),
    beforeSend: (worker, bounty) => allowance.cover(worker, bounty),
    call: (request, message) => origin.composer.acceptStakeRequest({ ...request, staker: request.staker, hashLock: message.hashLock }),
  };
}

/** REQUESTED → ACCEPTING for stake requests (see AcceptService). */
export class AcceptStakeRequestService extends AcceptService {
  constructor(context: FacilitationContext, workers: WorkerPool) {
    super(context, stakeAcceptor(context, workers));
  }
}
