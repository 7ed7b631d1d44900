const BASE = 'http://omt.invalid';
const NO_RETURN = new Set(['/login', '/logout', '/register']);

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * A `next` target that can only lead back into this site: a path starting with one "/", no
 * scheme, host, backslash or control character. Anything else gives the fallback.
 */
export function safeNextPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || hasControlCharacter(value)) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || NO_RETURN.has(url.pathname)) return fallback;
  // Dot segments collapse after the check ("/.//evil.example" becomes "//evil.example"): check the
  // result again, as the browser will read it.
  const target = url.pathname + url.search + url.hash;
  if (target.startsWith('//') || target.startsWith('/\\') || new URL(target, BASE).origin !== BASE) return fallback;
  return target;
}
