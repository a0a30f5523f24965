/**
 * Escapes one URL path segment the way Go's `url.PathEscape` does (federation.md §8.1): unreserved characters
 * and `$ & + : = @` stay literal, everything else (`!`, `/`, `#`, `?`, non-ASCII, ...) is percent-encoded as
 * UTF-8. `encodeURIComponent` escapes `:` `@` `$` `+` `=` too, which peers accept but makes our signed URIs differ
 * from upstream's for no reason; matching upstream keeps request logs comparable.
 */
export function escapePathSegment(segment: string): string {
  let out = "";
  for (const byte of Buffer.from(segment, "utf8")) {
    const c = String.fromCharCode(byte);
    out += KEEP.test(c) && byte < 0x80 ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const KEEP = /^[A-Za-z0-9\-._~$&+:=@]$/;

/** Builds `?a=1&b=2` from pairs (repeated names allowed, as `ver=` needs), escaping like Go's QueryEscape. */
export function queryString(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return "";
  const escape = (s: string): string =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+");
  return `?${pairs.map(([k, v]) => `${escape(k)}=${escape(v)}`).join("&")}`;
}
