import {
  getNamedType,
  isInputType,
  isLeafType,
  GraphQLNonNull,
  GraphQLObjectType,
  Kind,
  typeFromAST,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { coerceArgument, coerceValue, CoercionFailure, fromAst, fromJson } from './coercion';
import { errors, type ArgumentValue } from './query-errors';

/*
 * graph-node's query preparation (graphql/src/execution/query.rs `Query::new`), which runs with
 * GraphQL validation off (the default, ENABLE_GRAPHQL_VALIDATIONS unset): one operation or "Operation
 * name required"; variables coerced to their declared types but never checked against where they are
 * used; unknown fields are errors, unknown arguments are dropped, a missing sub-selection drops the
 * field, a sub-selection on a scalar is ignored.
 */

export interface PreparedField {
  responseKey: string;
  name: string;
  /** Coerced arguments, defaults filled in. */
  args: Record<string, ArgumentValue>;
  selection: PreparedField[];
  /** The field node, for introspection fields executed by graphql-js. */
  node: FieldNode;
}

export interface PreparedQuery {
  fields: PreparedField[];
  fragments: Map<string, FragmentDefinitionNode>;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

function location(node: { loc?: { startToken: { line: number; column: number } } }) {
  return node.loc ? { line: node.loc.startToken.line, column: node.loc.startToken.column } : undefined;
}

function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, given: Record<string, unknown>): Map<string, ArgumentValue> {
  const coerced = new Map<string, ArgumentValue>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) throw errors.variableNotInput(name, location(definition));
    const value = name in given ? fromJson(given[name]) : definition.defaultValue ? fromAst(definition.defaultValue, new Map()) : undefined;
    if (value === undefined) {
      if (type instanceof GraphQLNonNull) throw errors.missingVariable(name, location(definition));
      continue;
    }
    try {
      coerced.set(name, coerceValue(value, type));
    } catch (error) {
      if (error instanceof CoercionFailure) throw errors.invalidArgument(name, error.value, location(definition));
      throw error;
    }
  }
  return coerced;
}

class Transform {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Map<string, ArgumentValue>,
  ) {}

  private skipped(node: { directives?: readonly DirectiveNode[] }): boolean {
    for (const directive of node.directives ?? []) {
      const condition = directive.arguments?.find((a) => a.name.value === 'if');
      const value = condition ? fromAst(condition.value, this.variables) : null;
      if (directive.name.value === 'skip' && value === true) return true;
      if (directive.name.value === 'include' && value === false) return true;
    }
    return false;
  }

  private coerceArguments(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, ArgumentValue> {
    const given = new Map((node.arguments ?? []).map((a) => [a.name.value, fromAst(a.value, this.variables)]));
    const args: Record<string, ArgumentValue> = {};
    for (const definition of field.args) {
      const fallback = definition.defaultValue as ArgumentValue | undefined;
      const value = coerceArgument(definition.name, given.get(definition.name), definition.type, fallback);
      if (value !== undefined) args[definition.name] = value;
    }
    return args; // arguments the field does not define are dropped (graphql-bug-compat)
  }

  private expandField(node: FieldNode, parent: GraphQLObjectType): PreparedField | undefined {
    const name = node.name.value;
    const responseKey = node.alias?.value ?? name;
    if (name === '__typename') return { responseKey, name, args: {}, selection: [], node };
    if (parent === this.schema.getQueryType() && (name === '__schema' || name === '__type')) {
      return { responseKey, name, args: {}, selection: [], node };
    }
    const field = parent.getFields()[name];
    if (!field) throw errors.unknownField(parent.name, name, location(node));
    if (this.skipped(node)) return undefined;
    const args = this.coerceArguments(field, node);
    const leaf = isLeafType(getNamedType(field.type));
    const hasSelection = (node.selectionSet?.selections.length ?? 0) > 0;
    if (!hasSelection && !leaf) return undefined; // a field that needs a selection but has none is left out
    const named = getNamedType(field.type);
    const selection = !leaf && node.selectionSet && named instanceof GraphQLObjectType ? this.expandSelectionSet(node.selectionSet, named) : [];
    return { responseKey, name, args, selection, node };
  }

  expandSelectionSet(set: SelectionSetNode, parent: GraphQLObjectType, visited = new Set<string>()): PreparedField[] {
    const fields: PreparedField[] = [];
    const add = (field: PreparedField) => {
      const same = fields.find((f) => f.responseKey === field.responseKey);
      if (same) same.selection.push(...field.selection);
      else fields.push(field);
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = this.expandField(selection, parent);
        if (field) add(field);
        continue;
      }
      if (this.skipped(selection)) continue;
      let inner: SelectionSetNode;
      let condition: string | undefined;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment) throw errors.undefinedFragment(name);
        if (visited.has(name)) continue;
        visited.add(name);
        inner = fragment.selectionSet;
        condition = fragment.typeCondition.name.value;
      } else {
        inner = selection.selectionSet;
        condition = selection.typeCondition?.name.value;
      }
      if (condition !== undefined && !this.schema.getType(condition)) throw errors.namedType(condition);
      // Without interfaces, a fragment on another type selects nothing here.
      if (condition === undefined || condition === parent.name) for (const field of this.expandSelectionSet(inner, parent, visited)) add(field);
    }
    return fields;
  }
}

/** Query::new: the one operation of the document, its variables coerced, its selection expanded. */
export function prepareQuery(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, allowSubscription = false): PreparedQuery {
  let operation: OperationDefinitionNode | undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (operation) throw errors.operationNameRequired();
      operation = definition;
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  if (!operation) throw errors.operationNameRequired();
  const coerced = coerceVariables(schema, operation, variables);
  if (operation.operation === 'subscription' && !allowSubscription) throw errors.notSupported('Subscriptions are not supported');
  if (operation.operation === 'mutation') throw errors.notSupported('Mutations are not supported');
  const root = operation.operation === 'subscription' ? schema.getSubscriptionType()! : schema.getQueryType()!;
  const fields = new Transform(schema, fragments, coerced).expandSelectionSet(operation.selectionSet, root);
  return { fields, fragments, operation, variables };
}
