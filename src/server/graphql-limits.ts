import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/*
 * Bounds on what one GraphQL document may ask of the facilitator's servers (status API, embedded
 * subgraph server): a document small enough to pass the body limit can still alias one expensive
 * field thousands of times, or nest fragments that expand exponentially. Counted with fragments
 * expanded, before anything executes.
 */

export interface QueryLimits {
  /** Selection depth (a top-level field is depth 1). */
  maxDepth: number;
  /** Fields in the document with every fragment spread expanded. */
  maxFields: number;
  /** Aliased fields, fragments expanded. */
  maxAliases: number;
  /** Lexical tokens of the document: bounds parsing itself. */
  maxTokens: number;
}

/** Above what the facilitator's own documents (graphql/) need, far below what would hurt. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 10, maxFields: 500, maxAliases: 30, maxTokens: 10_000 };

interface Cost {
  depth: number;
  fields: number;
  aliases: number;
}

const ZERO: Cost = { depth: 0, fields: 0, aliases: 0 };

/** Depth, field and alias counts of a selection set with fragments expanded (memoized per fragment). */
function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, Cost>, visiting: Set<string>): Cost {
  let depth = 0;
  let fields = 0;
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    let inner: Cost = ZERO;
    if (selection.kind === Kind.FIELD) {
      inner = selection.selectionSet ? measure(selection.selectionSet, fragments, memo, visiting) : ZERO;
      inner = { depth: inner.depth + 1, fields: inner.fields + 1, aliases: inner.aliases + (selection.alias ? 1 : 0) };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, memo, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // Unknown or cyclic fragments are reported by graphql's own rules.
      if (!fragment || visiting.has(name)) continue;
      let cost = memo.get(name);
      if (!cost) {
        visiting.add(name);
        cost = measure(fragment.selectionSet, fragments, memo, visiting);
        visiting.delete(name);
        memo.set(name, cost);
      }
      inner = cost;
    }
    depth = Math.max(depth, inner.depth);
    // Saturate: an exponential fragment bomb must not overflow into a small number.
    fields = Math.min(fields + inner.fields, Number.MAX_SAFE_INTEGER);
    aliases = Math.min(aliases + inner.aliases, Number.MAX_SAFE_INTEGER);
  }
  return { depth, fields, aliases };
}

/** A validation rule refusing documents over `limits`, with an error naming the limit. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document: DocumentNode) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const memo = new Map<string, Cost>();
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const cost = measure(definition.selectionSet, fragments, memo, new Set());
        const name = definition.name ? `operation ${definition.name.value}` : 'the operation';
        if (cost.depth > limits.maxDepth) {
          context.reportError(new GraphQLError(`query too deep: ${name} nests ${cost.depth} levels, the limit (maxDepth) is ${limits.maxDepth}`));
        }
        if (cost.fields > limits.maxFields) {
          context.reportError(new GraphQLError(`query too large: ${name} selects ${cost.fields} fields with fragments expanded, the limit (maxFields) is ${limits.maxFields}`));
        }
        if (cost.aliases > limits.maxAliases) {
          context.reportError(new GraphQLError(`too many aliases: ${name} has ${cost.aliases}, the limit (maxAliases) is ${limits.maxAliases}`));
        }
      }
      return false; // measured whole; nothing to visit below
    },
  });
}

/** graphql's validate with the standard rules plus the limits (for graphql-ws's `validate` option). */
export function validateWithLimits(limits: QueryLimits = DEFAULT_QUERY_LIMITS): (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[] {
  const rules = [...specifiedRules, queryLimitsRule(limits)];
  return (schema, document) => validate(schema, document, rules);
}

/** graphql's parse, stopping after `maxTokens` tokens ("Document contains more than … tokens"). */
export function parseWithLimits(limits: QueryLimits = DEFAULT_QUERY_LIMITS): (source: string | Source) => DocumentNode {
  return (source) => parse(source, { maxTokens: limits.maxTokens });
}
