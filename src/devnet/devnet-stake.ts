import { requestStake, type RequestedStake } from './demo-staker';
import type { Devnet } from './devnet';

/** One devnet staker requests a stake through the devnet's own composer and gateway. */
export function requestStakeOnDevnet(devnet: Devnet, staker: string, beneficiary?: string): Promise<RequestedStake> {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  return requestStake({
    client: devnet.origin.client,
    composer: pair.origin.ostComposerAddress,
    gateway: pair.origin.ostEIP20GatewayAddress,
    valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
    staker: devnet.originSender(staker),
    beneficiary,
  });
}
