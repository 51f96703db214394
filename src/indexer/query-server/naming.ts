/** graph-node's root field names: the entity type in lowerCamelCase, and its English plural for collections. */
export function singularField(typeName: string): string {
  return typeName.charAt(0).toLowerCase() + typeName.slice(1);
}

export function pluralField(typeName: string): string {
  const singular = singularField(typeName);
  if (/[^aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(singular)) return `${singular}es`;
  return `${singular}s`;
}
