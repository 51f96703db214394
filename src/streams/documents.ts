import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type DefinitionNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { packageRoot } from '../util/package-root';

/** Entity types the facilitator streams; each has graphql/subgraph/<Type>.graphql. */
export type StreamedEntityType =
  | 'StakeRequested'
  | 'StakeRevoked'
  | 'StakeRejected'
  | 'StakeIntentDeclared'
  | 'StakeProgressed'
  | 'StateRootAvailable'
  | 'GatewayProven'
  | 'StakeIntentConfirmed'
  | 'MintProgressed'
  | 'RedeemRequested'
  | 'RedeemRevoked'
  | 'RedeemRejected'
  | 'RedeemIntentDeclared'
  | 'RedeemProgressed'
  | 'RedeemIntentConfirmed'
  | 'UnstakeProgressed';

export interface EntityDocuments {
  /** Page of entities changed in [fromBlock, atBlock], pinned at atBlock, after an id. */
  page: DocumentNode;
  /** Subscription: entities changed since fromBlock, pushed on every change. */
  live: DocumentNode;
}

const cache = new Map<string, DocumentNode>();

function readDocument(relativePath: string): DocumentNode {
  let doc = cache.get(relativePath);
  if (!doc) {
    const path = join(packageRoot(), 'graphql', relativePath);
    doc = parse(readFileSync(path, 'utf8'));
    cache.set(relativePath, doc);
  }
  return doc;
}

/** One operation with the fragments of its file: Apollo wants a single operation per document. */
function operation(doc: DocumentNode, name: string): DocumentNode {
  const definitions: DefinitionNode[] = [];
  let found: OperationDefinitionNode | undefined;
  for (const definition of doc.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) definitions.push(definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name) found = definition;
  }
  if (!found) throw new Error(`GraphQL operation ${name} not found`);
  return { kind: Kind.DOCUMENT, definitions: [found, ...definitions] };
}

export function entityDocuments(entityType: StreamedEntityType): EntityDocuments {
  const doc = readDocument(`subgraph/${entityType}.graphql`);
  return { page: operation(doc, `${entityType}Page`), live: operation(doc, `${entityType}Live`) };
}

export function metaDocument(): DocumentNode {
  return operation(readDocument('subgraph/meta.graphql'), 'SubgraphMeta');
}
