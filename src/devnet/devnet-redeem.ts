import { requestRedeem, type RedeemDefaults, type RequestedRedeem } from './demo-redeemer';
import type { Devnet } from './devnet';

/**
 * One devnet account redeems through the devnet's own RedeemPool and cogateway (wrap what it lacks,
 * approve, requestRedeem). OSTPrime wraps only what stake & mint released: mint first.
 */
export function requestRedeemOnDevnet(
  devnet: Devnet,
  redeemer: string,
  options: Partial<RedeemDefaults> & { beneficiary?: string } = {},
): Promise<RequestedRedeem> {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  return requestRedeem({
    ...options,
    client: devnet.auxiliary.client,
    ostPrime: pair.auxiliary.ostPrimeAddress,
    redeemPool: pair.auxiliary.redeemPoolAddress,
    coGateway: pair.auxiliary.ostEIP20CogatewayAddress,
    redeemer: devnet.auxiliarySender(redeemer),
  });
}
