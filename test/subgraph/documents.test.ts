import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, validate, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { EntityStore } from '../../src/indexer/entity-store/entity-store';
import { apiModel } from '../../src/indexer/query-server/api-model';
import { buildApiSchema } from '../../src/indexer/query-server/subgraph-schema';
import { SUBGRAPH_SIDES, subgraphSourceDir, type SubgraphSide } from '../../src/subgraph/sides';
import { packageRoot } from '../../src/util/package-root';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

/** graphql/subgraph/<Type>.graphql: what the facilitator's entity streams send to a subgraph. */

const DOCUMENTS_DIR = join(packageRoot(), 'graphql', 'subgraph');
const entityDocuments = readdirSync(DOCUMENTS_DIR)
  .filter((file) => file.endsWith('.graphql') && file !== 'meta.graphql')
  .map((file) => file.replace(/\.graphql$/, ''));

describe('graphql/subgraph documents', () => {
  let db: TestDatabase;
  const schemas = new Map<SubgraphSide, GraphQLSchema>();
  const stores = new Map<SubgraphSide, EntityStore>();

  before(async () => {
    db = await openTestDatabase();
    for (const side of SUBGRAPH_SIDES) {
      const schemaSdl = readFileSync(join(subgraphSourceDir(side), 'schema.graphql'), 'utf8');
      const store = await EntityStore.open({ knex: db.knex, namespace: `sg_docs_${side}`, schemaSdl });
      stores.set(side, store);
      schemas.set(side, buildApiSchema(apiModel(schemaSdl), { changes$: store.changes$, run: async () => [] }));
    }
  });
  after(async () => db?.close());

  it('include the redeem & unstake entities next to the stake ones', () => {
    expect(entityDocuments).to.include.members([
      'RedeemRequested',
      'RedeemRevoked',
      'RedeemRejected',
      'RedeemIntentDeclared',
      'RedeemProgressed',
      'RedeemIntentConfirmed',
      'UnstakeProgressed',
      'GatewayProven',
      'StateRootAvailable',
    ]);
  });

  it('validate against the query schema of every side that has the entity, and ask for every field', () => {
    for (const type of entityDocuments) {
      const document = parse(readFileSync(join(DOCUMENTS_DIR, `${type}.graphql`), 'utf8'));
      const sides = SUBGRAPH_SIDES.filter((side) => stores.get(side)!.schema.entityTypes.has(type));
      expect(sides, `${type} is an entity of some subgraph`).to.not.have.length(0);
      const operations = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
      expect(operations, type).to.deep.equal([`${type}Page`, `${type}Live`]);
      const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
      const asked = fragment!.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '?'));
      for (const side of sides) {
        expect(validate(schemas.get(side)!, document).map((e) => e.message), `${type} on ${side}`).to.deep.equal([]);
        const fields = [...stores.get(side)!.schema.entityTypes.get(type)!.fields.keys()];
        expect([...asked].sort(), `${type} fields on ${side}`).to.deep.equal([...fields].sort());
      }
    }
  });
});
