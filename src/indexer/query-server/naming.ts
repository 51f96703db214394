/**
 * graph-node's root field names (graph/src/data/graphql/ext.rs `camel_cased_names`): the type name
 * through the Inflector crate (0.11) — `to_camel_case` for the single entity, `to_plural` then
 * `to_camel_case` for the collection, with `_collection` appended when both are the same word.
 * The rules below are Inflector's, in its order (src/string/pluralize, src/cases/case).
 */

const UNCOUNTABLE = new Set(
  (
    'accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause arithmetic assistance athletics ' +
    'bacon baggage beef biology blood botany bread butter carbon cardboard cash chalk chaos chess crossroads countryside ' +
    'dancing deer dignity dirt dust economics education electricity engineering enjoyment envy equipment ethics evidence evolution ' +
    'fame fiction flour flu food fuel fun furniture gallows garbage garlic genetics gold golf gossip grammar gratitude grief guilt gymnastics ' +
    'happiness hardware harm hate hatred health heat help homework honesty honey hospitality housework humour hunger hydrogen ' +
    'ice importance inflation information innocence iron irony jam jewelry judo karate knowledge ' +
    'lack laughter lava leather leisure lightning linguine linguini linguistics literature litter livestock logic loneliness luck luggage ' +
    'macaroni machinery magic management mankind marble mathematics mayonnaise measles methane milk money mud music mumps ' +
    'nature news nitrogen nonsense nurture nutrition obedience obesity oxygen pasta patience physics poetry pollution poverty pride psychology publicity punctuation ' +
    'quartz racism relaxation reliability research respect revenge rice rubbish rum ' +
    'safety scenery seafood seaside series shame sheep shopping sleep smoke smoking snow soap software soil spaghetti species steam stuff stupidity sunshine symmetry ' +
    'tennis thirst thunder timber traffic transportation trust underwear unemployment unity ' +
    'validity veal vegetation vegetarianism vengeance violence vitality warmth wealth weather welfare wheat wildlife wisdom yoga zinc zoology'
  ).split(' '),
);

const SPECIAL: Record<string, string> = {
  ox: 'oxen',
  man: 'men',
  woman: 'women',
  die: 'dice',
  yes: 'yeses',
  foot: 'feet',
  eave: 'eaves',
  goose: 'geese',
  tooth: 'teeth',
  quiz: 'quizzes',
};

/** Inflector's rules as written; it tries them last to first. */
const RULES: Array<[RegExp, string]> = [
  [/(\w*)s$/, 's'],
  [/(\w*([^aeiou]ese))$/, ''],
  [/(\w*(ax|test))is$/, 'es'],
  [/(\w*(alias|[^aou]us|tlas|gas|ris))$/, 'es'],
  [/(\w*(e[mn]u))s?$/, 's'],
  [/(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/, ''],
  [/(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/, 'i'],
  [/(\w*(alumn|alg|vertebr))(?:a|ae)$/, 'ae'],
  [/(\w*(seraph|cherub))(?:im)?$/, 'im'],
  [/(\w*(her|at|gr))o$/, 'oes'],
  [/(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/, 'a'],
  [/(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/, 'a'],
  [/(\w*)sis$/, 'ses'],
  [/(\w*(kni|wi|li))fe$/, 'ves'],
  [/(\w*(ar|l|ea|eo|oa|hoo))f$/, 'ves'],
  [/(\w*([^aeiouy]|qu))y$/, 'ies'],
  [/(\w*([^ch][ieo][ln]))ey$/, 'ies'],
  [/(\w*(x|ch|ss|sh|zz)es)$/, ''],
  [/(\w*(x|ch|ss|sh|zz))$/, 'es'],
  [/(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/, 'ices'],
  [/(\w*(m|l)(?:ice|ouse))$/, 'ice'],
  [/(\w*(pe)(?:rson|ople))$/, 'ople'],
  [/(\w*(child))(?:ren)?$/, 'ren'],
  [/(\w*eaux)$/, ''],
];

/** Inflector's `to_plural` (case-sensitive, like the crate: `Stats` stays `Stats`). */
export function toPlural(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  if (SPECIAL[word]) return SPECIAL[word];
  for (let i = RULES.length - 1; i >= 0; i--) {
    const match = RULES[i][0].exec(word);
    if (match?.[1] !== undefined) return `${match[1]}${RULES[i][1]}`;
  }
  return `${word}s`;
}

const isAlphanumeric = (c: string) => /[\p{L}\p{N}]/u.test(c);
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();
const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();

/** Inflector's `to_camel_case`: `ERC20Transfer` → `erc20Transfer`, `StakeRequested` → `stakeRequested`. */
export function toCamelCase(text: string): string {
  let newWord = false;
  let lastChar = ' ';
  let foundRealChar = false;
  let result = '';
  const trimmed = text.replace(/[^\p{L}\p{N}]+$/u, '');
  for (const c of trimmed) {
    if (!isAlphanumeric(c) && foundRealChar) {
      newWord = true;
    } else if (!foundRealChar && !isAlphanumeric(c)) {
      continue;
    } else if (/\p{N}/u.test(c)) {
      foundRealChar = true;
      newWord = true;
      result += c;
    } else if (newWord || (isLower(lastChar) && isUpper(c))) {
      foundRealChar = true;
      newWord = false;
      result += c.toUpperCase();
    } else {
      foundRealChar = true;
      lastChar = c;
      result += c.toLowerCase();
    }
  }
  return result;
}

export function singularField(typeName: string): string {
  return toCamelCase(typeName);
}

export function pluralField(typeName: string): string {
  const singular = toCamelCase(typeName);
  const plural = toCamelCase(toPlural(typeName));
  return plural === singular ? `${plural}_collection` : plural;
}
