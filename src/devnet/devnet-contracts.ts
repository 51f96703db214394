import { Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, OstComposer, OstPrime } from '../mosaic/contracts';
import { RedeemPool } from '../mosaic/redeem-contracts';
import type { Devnet } from './devnet';

/** The devnet's Mosaic contracts of its gateway pair, as typed wrappers on their chains (no I/O). */
export function devnetContracts(devnet: Devnet) {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const origin = devnet.origin.client;
  const auxiliary = devnet.auxiliary.client;
  return {
    pair,
    composer: new OstComposer(origin, pair.origin.ostComposerAddress),
    gateway: new Eip20Gateway(origin, pair.origin.ostEIP20GatewayAddress),
    originAnchor: new Anchor(origin, pair.origin.anchorAddress),
    ost: new Eip20Token(origin, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress),
    coGateway: new Eip20CoGateway(auxiliary, pair.auxiliary.ostEIP20CogatewayAddress),
    auxAnchor: new Anchor(auxiliary, pair.auxiliary.anchorAddress),
    ostPrime: new OstPrime(auxiliary, pair.auxiliary.ostPrimeAddress),
    redeemPool: new RedeemPool(auxiliary, pair.auxiliary.redeemPoolAddress),
  };
}

export type DevnetContracts = ReturnType<typeof devnetContracts>;
