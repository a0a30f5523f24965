import type { Context } from "koa";
import type { Logger } from "../../../observability/logger.js";

/** The response header listing request keys we accepted but did not use. */
export const IGNORED_KEYS_HEADER = "X-Policyserv-Ignored-Keys";

/**
 * Upstream silently drops unknown keys (a newer setup bot must keep working against an older server), which also
 * hides typos. We still accept them, but say which ones were ignored: in a response header (each key
 * percent-encoded, so commas and non-ASCII cannot break the list) and in one log line.
 */
export function reportIgnoredKeys(ctx: Context, logger: Logger, keys: readonly string[], what: string): void {
  if (keys.length === 0) return;
  ctx.set(IGNORED_KEYS_HEADER, keys.map((key) => encodeURIComponent(key)).join(", "));
  logger.info({ path: ctx.path, ignoredKeys: keys }, `Ignored unknown keys in ${what}`);
}

/** Decodes the header back into keys (for clients and tests). */
export function parseIgnoredKeysHeader(value: string | null): string[] {
  if (value === null || value === "") return [];
  return value.split(", ").map((key) => decodeURIComponent(key));
}
