import type { Knex } from 'knex';
import { join } from 'node:path';
import { startDevnet, type Devnet, type DevnetOptions } from '../../src/devnet/devnet';
import type { DevAccountRole } from '../../src/devnet/devnet-info';
import { startEmbeddedIndexer, type EmbeddedIndexer } from '../../src/indexer/embedded-indexer';
import { silentLogger } from '../../src/logging/logger';
import { packageRoot } from '../../src/util/package-root';
import { rpcEndpointsOf } from '../../src/facilitator/resolve-options';

/** Where tests keep built subgraphs between runs (graph-cli builds once). */
export const SUBGRAPH_BUILD_CACHE = join(packageRoot(), '.tmp', 'subgraph-cache');

/** A devnet on free loopback ports, with the anchor timer off unless asked (tests anchor explicitly). */
export function startTestDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  return startDevnet({ originPort: 0, auxiliaryPort: 0, anchorIntervalMs: 0, ...options });
}

export function addressesWithRole(devnet: Devnet, role: DevAccountRole): string[] {
  return devnet.info.accounts.filter((a) => a.role === role).map((a) => a.address);
}

/** The embedded indexer following both chains of a devnet, its entities in `knex`. */
export function startDevnetIndexer(devnet: Devnet, knex: Knex, pollIntervalMs: number): Promise<EmbeddedIndexer> {
  return startEmbeddedIndexer({
    knex,
    mosaic: devnet.mosaicConfig,
    auxChainId: devnet.info.auxChainId,
    chains: {
      origin: { chainId: devnet.info.origin.chainId, rpc: rpcEndpointsOf([devnet.info.origin.rpcUrl]), pollIntervalMs },
      auxiliary: { chainId: devnet.info.auxiliary.chainId, rpc: rpcEndpointsOf([devnet.info.auxiliary.rpcUrl]), pollIntervalMs },
    },
    buildCacheDir: SUBGRAPH_BUILD_CACHE,
    logger: silentLogger(),
  });
}
