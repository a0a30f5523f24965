/**
 * Go's strings.ToUpper/ToLower: Unicode *simple* case mapping applied one code point at a time. JS's
 * toUpperCase/toLowerCase use the full mappings ('ß' → "SS", 'İ' → "i̇") and the context-dependent final sigma, so
 * they are only used where they provably agree: on strings holding none of the code points listed here.
 */

/**
 * Code points whose JS full uppercase mapping is several code points (all in the BMP; listed from Node 20's ICU and
 * checked by a unit test). Go leaves them unchanged except the few with a simple mapping in {@link SIMPLE_UPPER}.
 */
const MULTI_UPPER =
  /[\u00df\u0149\u01f0\u0390\u03b0\u0587\u1e96-\u1e9a\u1f50\u1f52\u1f54\u1f56\u1f80-\u1faf\u1fb2-\u1fb4\u1fb6\u1fb7\u1fbc\u1fc2-\u1fc4\u1fc6\u1fc7\u1fcc\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2-\u1fe4\u1fe6\u1fe7\u1ff2-\u1ff4\u1ff6\u1ff7\u1ffc\ufb00-\ufb06\ufb13-\ufb17]/;

/** Simple uppercase mappings (UnicodeData.txt) of code points in {@link MULTI_UPPER} that have one. */
function simpleUpperOfMulti(cp: number): number {
  // Greek with ypogegrammeni: lowercase ᾀ-ᾇ, ᾐ-ᾗ, ᾠ-ᾧ map to the titlecase forms 8 code points up.
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return cp + 8;
  if (cp === 0x1fb3) return 0x1fbc;
  if (cp === 0x1fc3) return 0x1fcc;
  if (cp === 0x1ff3) return 0x1ffc;
  return cp;
}

/** 'İ' lowercases to "i̇" in full mapping, 'Σ' depends on context (final sigma); Go gives 'i' and 'σ'. */
const LOWER_SPECIAL = /[\u0130\u03a3]/;

function mapPerCodePoint(s: string, f: (ch: string) => string): string {
  let out = "";
  for (const ch of s) out += f(ch);
  return out;
}

/** Go's strings.ToUpper. */
export function goToUpper(s: string): string {
  if (!MULTI_UPPER.test(s)) return s.toUpperCase();
  return mapPerCodePoint(s, (ch) => {
    if (MULTI_UPPER.test(ch)) return String.fromCodePoint(simpleUpperOfMulti(ch.codePointAt(0) as number));
    return ch.toUpperCase();
  });
}

/** Go's strings.ToLower. */
export function goToLower(s: string): string {
  if (!LOWER_SPECIAL.test(s)) return s.toLowerCase();
  return mapPerCodePoint(s, (ch) => (ch === "\u0130" ? "i" : ch === "\u03a3" ? "\u03c3" : ch.toLowerCase()));
}

/** The MULTI_UPPER class as a pattern, so tests can compare it with the runtime's own case tables. */
export const MULTI_UPPER_PATTERN: RegExp = MULTI_UPPER;
