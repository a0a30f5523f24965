/**
 * Glob matching for trust globs, policy-list entities and link globs (filters.md §5.5).
 *
 * Hand-written on purpose (decisions §6b): `*` is the only wildcard, everything else is literal, matching is
 * case-sensitive and anchored at both ends. Existing glob libraries add `?`, classes or escapes, and upstream's
 * go-glob has a false positive when the subject runs out before the last part (`*a*a` matched `a`) and crashes for
 * longer last parts. This matcher fixes the prefix and suffix first, then finds each middle part at its leftmost
 * occurrence in what remains; leftmost-first is optimal for `*`-only patterns, so there is never any backtracking
 * and the cost is a sequence of `indexOf` scans (no blow-up on `*a*a*a*...`).
 */

/** A compiled glob: call it with a subject. */
export type GlobMatcher = (subject: string) => boolean;

/** Compiles `pattern`; compile once and reuse when the same pattern is tested against many subjects. */
export function compileGlob(pattern: string): GlobMatcher {
  const parts = pattern.split("*");
  if (parts.length === 1) return (subject) => subject === pattern;
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  const middle = parts.slice(1, -1).filter((part) => part !== "");
  const fixedLength = first.length + last.length;
  return (subject) => {
    if (subject.length < fixedLength) return false;
    if (!subject.startsWith(first) || !subject.endsWith(last)) return false;
    // The middle parts must fit between the prefix and the suffix without overlapping either.
    const limit = subject.length - last.length;
    let position = first.length;
    for (const part of middle) {
      const found = subject.indexOf(part, position);
      if (found < 0 || found + part.length > limit) return false;
      position = found + part.length;
    }
    return true;
  };
}

/** One-off match; see `compileGlob` for the rules. */
export function matchGlob(pattern: string, subject: string): boolean {
  return compileGlob(pattern)(subject);
}

// Config lists are frozen and reused for every check, so compiling once per list object is enough; a WeakMap lets a
// replaced config's matchers be collected.
const compiledLists = new WeakMap<readonly string[], readonly GlobMatcher[]>();

/** True when any pattern matches. Empty list → false. Compiled matchers are memoised per list object. */
export function matchesAnyGlob(patterns: readonly string[], subject: string): boolean {
  let matchers = compiledLists.get(patterns);
  if (matchers === undefined) {
    matchers = patterns.map(compileGlob);
    compiledLists.set(patterns, matchers);
  }
  for (const matcher of matchers) {
    if (matcher(subject)) return true;
  }
  return false;
}
