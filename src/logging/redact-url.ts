/**
 * URLs of RPC nodes and subgraphs often carry credentials: `user:password@`, `?apikey=…`, or the key
 * as a path segment (Infura `/v3/<key>`, Alchemy `/v2/<key>`, The Graph `/api/<key>/…`). Anything that
 * prints such a URL (config errors, CLI output, logs, the status API) prints `redactUrl(url)` instead.
 */

const HIDDEN = '***';

/** Path segments after which providers put the key. */
const KEY_AFTER = new Set(['v1', 'v2', 'v3', 'api', 'key', 'apikey', 'api-key', 'token']);

/**
 * A random-looking token: long, URL-safe characters, letters and digits interleaved (a key), unlike
 * the readable names of paths such as `mosaic-auxiliary-1405` or `graphql`.
 */
function looksLikeKey(segment: string): boolean {
  if (segment.length < 16 || !/^[A-Za-z0-9_.~-]+$/.test(segment)) return false;
  if (segment.length >= 24 && /^(0x)?[0-9a-fA-F]+$/.test(segment)) return true;
  const alternations = segment.match(/[A-Za-z][0-9]|[0-9][A-Za-z]/g)?.length ?? 0;
  return alternations >= 3;
}

function redactPath(pathname: string): string {
  const segments = pathname.split('/');
  return segments
    .map((segment, index) => {
      if (segment === '') return segment;
      const previous = index > 0 ? segments[index - 1]?.toLowerCase() ?? '' : '';
      return KEY_AFTER.has(previous) || looksLikeKey(decodeSafely(segment)) ? HIDDEN : segment;
    })
    .join('/');
}

function decodeSafely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function redactQuery(search: string): string {
  if (search === '' || search === '?') return '';
  const pairs = search
    .slice(1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? pair : `${pair.slice(0, equals)}=${HIDDEN}`;
    });
  return `?${pairs.join('&')}`;
}

/**
 * The URL with its password, query-string values, key-like path segments and fragment hidden;
 * scheme, host, port and readable path kept so the reader still knows which endpoint it is.
 * A string that is not a URL is hidden whole (it may be a key pasted in the wrong place).
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[not a URL]';
  }
  let userinfo = '';
  if (parsed.username !== '' || parsed.password !== '') {
    const user = looksLikeKey(decodeSafely(parsed.username)) ? HIDDEN : parsed.username;
    userinfo = parsed.password === '' ? `${user}@` : `${user}:${HIDDEN}@`;
  }
  const hasAuthority = url.slice(parsed.protocol.length).startsWith('//');
  const authority = hasAuthority ? `//${userinfo}${parsed.host}` : '';
  // `http://host:8545` stays as written, without the '/' URL adds.
  const bareRoot = parsed.pathname === '/' && hasAuthority && !/^[^:]+:\/\/[^/?#]*\//.test(url);
  return `${parsed.protocol}${authority}${bareRoot ? '' : redactPath(parsed.pathname)}${redactQuery(parsed.search)}`;
}

/** `text` (e.g. an error message) with every occurrence of `url` replaced by redactUrl(url). */
export function redactUrlIn(text: string, url: string): string {
  return url === '' ? text : text.split(url).join(redactUrl(url));
}

/** `text` with every URL in it redacted (for messages that embed URLs we do not know in advance). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"()<>]+/gi, (url) => redactUrl(url));
}
