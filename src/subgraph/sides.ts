import { join } from 'node:path';
import type { MosaicContractName } from '../mosaic/artifacts';
import { packageRoot } from '../util/package-root';

/** The two subgraphs: one per chain of a Mosaic chain pair. */
export type SubgraphSide = 'origin' | 'auxiliary';

export const SUBGRAPH_SIDES: readonly SubgraphSide[] = ['origin', 'auxiliary'];

/** One data source of a subgraph: its name in subgraph.yaml is the contract name. */
export interface DataSourceSpec {
  name: MosaicContractName;
  /** Events handled, each by `handle<Event>` into an entity type of the same name. */
  events: readonly string[];
}

/** What each subgraph indexes; subgraph/<side>/subgraph.yaml lists the same. */
export const SUBGRAPH_DATA_SOURCES: Readonly<Record<SubgraphSide, readonly DataSourceSpec[]>> = {
  origin: [
    { name: 'OSTComposer', events: ['StakeRequested', 'StakeRevoked', 'StakeRejected'] },
    {
      name: 'EIP20Gateway',
      events: [
        'StakeIntentDeclared',
        'StakeProgressed',
        'RevertStakeIntentDeclared',
        'StakeReverted',
        'GatewayProven',
        'RedeemIntentConfirmed',
        'UnstakeProgressed',
        'RevertRedeemIntentConfirmed',
        'RevertRedeemComplete',
        'BountyChangeInitiated',
        'BountyChangeConfirmed',
      ],
    },
    { name: 'Anchor', events: ['StateRootAvailable'] },
  ],
  auxiliary: [
    {
      name: 'EIP20CoGateway',
      events: [
        'StakeIntentConfirmed',
        'MintProgressed',
        'RevertStakeIntentConfirmed',
        'RevertStakeProgressed',
        'RedeemIntentDeclared',
        'RedeemProgressed',
        'RevertRedeemDeclared',
        'RedeemReverted',
        'GatewayProven',
        'BountyChangeInitiated',
        'BountyChangeConfirmed',
      ],
    },
    { name: 'Anchor', events: ['StateRootAvailable'] },
    { name: 'RedeemPool', events: ['RedeemRequested', 'RedeemRevoked', 'RedeemRejected'] },
  ],
};

/** subgraph/<side>/ in this package: subgraph.yaml, schema.graphql, src/ (mappings). */
export function subgraphSourceDir(side: SubgraphSide): string {
  return join(packageRoot(), 'subgraph', side);
}
