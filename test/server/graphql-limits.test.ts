import { expect } from 'chai';
import { buildSchema, parse } from 'graphql';
import { DEFAULT_QUERY_LIMITS, parseWithLimits, validateWithLimits } from '../../src/server/graphql-limits';

const schema = buildSchema(`
  type Node { name: String, child: Node }
  type Query { node: Node, name: String }
`);
const check = validateWithLimits({ maxDepth: 4, maxFields: 20, maxAliases: 3, maxTokens: 500 });
const errors = (query: string) => check(schema, parse(query)).map((e) => e.message);

describe('GraphQL document limits', function () {
  it('accepts a document within every limit', function () {
    expect(errors('{ node { name child { name } } a: name b: name }')).to.deep.equal([]);
  });

  it('refuses depth over maxDepth, naming the limit', function () {
    expect(errors('{ node { child { child { child { name } } } } }')).to.deep.equal([
      'query too deep: the operation nests 5 levels, the limit (maxDepth) is 4',
    ]);
  });

  it('refuses aliases over maxAliases, naming the limit', function () {
    expect(errors('query Many { a: name b: name c: name d: name }')).to.deep.equal([
      'too many aliases: operation Many has 4, the limit (maxAliases) is 3',
    ]);
  });

  it('counts fields with fragments expanded: a fragment bomb is refused without being expanded', function () {
    // Each level doubles: 2^30 fields once expanded, measured in microseconds with memoized fragments.
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const started = Date.now();
    const found = errors(`{ ...F0 }\n${fragments}\nfragment F${levels} on Query { name }`);
    expect(Date.now() - started).to.be.below(200);
    expect(found).to.deep.equal([`query too large: the operation selects ${2 ** levels} fields with fragments expanded, the limit (maxFields) is 20`]);
  });

  it('stops parsing after maxTokens tokens', function () {
    expect(() => parseWithLimits({ ...DEFAULT_QUERY_LIMITS, maxTokens: 50 })(`{ ${'name '.repeat(100)} }`)).to.throw(/contains more (than|that) 50 tokens/);
  });
});
