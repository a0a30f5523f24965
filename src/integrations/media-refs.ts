/**
 * Media extraction (filters.md §1.7, federation.md §8.8): the `mxc://` URIs an event references in `content.url`
 * and `content.info.thumbnail_url`. Pure, so filters call it directly.
 */
import type { MediaRef } from "../filters/types.js";
import { isValidServerName } from "../matrix/ids.js";
import { err, ok, type Result } from "../result.js";

/** What an event references: usable media items, and the URLs that were not valid `mxc://` URIs (for logs). */
export interface ExtractedMedia {
  readonly items: readonly MediaRef[];
  readonly invalid: readonly string[];
}

/** A media ID as the spec allows (`[A-Za-z0-9_-]+`); anything else could smuggle path segments into the download URL. */
const MEDIA_ID = /^[A-Za-z0-9_-]+$/;

/**
 * Parses `mxc://<server name>/<media id>`. Upstream crashed on `mxc://host` with no media ID and appended a null item
 * for non-mxc URLs; both are simply invalid here, with the reason.
 */
export function parseMxcUri(uri: string): Result<MediaRef, string> {
  if (!uri.startsWith("mxc://")) return err(`${JSON.stringify(uri)} is not an mxc:// URI`);
  const rest = uri.slice("mxc://".length);
  const slash = rest.indexOf("/");
  if (slash < 0) return err(`${JSON.stringify(uri)} has no media ID`);
  const origin = rest.slice(0, slash);
  const mediaId = rest.slice(slash + 1);
  if (!isValidServerName(origin)) return err(`${JSON.stringify(uri)} has an invalid server name`);
  if (!MEDIA_ID.test(mediaId)) return err(`${JSON.stringify(uri)} has an invalid media ID`);
  return ok({ origin, mediaId, mxc: `mxc://${origin}/${mediaId}` });
}

/**
 * Reads `content.url` and `content.info.thumbnail_url`. Each must be a string when present (else an error, which
 * fails the filter as upstream does); `""` is absent; duplicates are collapsed so one file is scanned once.
 */
export function extractMediaRefs(content: Readonly<Record<string, unknown>>): Result<ExtractedMedia, string> {
  const candidates: string[] = [];
  const url = content["url"];
  if (url !== undefined && url !== null) {
    if (typeof url !== "string") return err("content.url must be a string");
    candidates.push(url);
  }
  const info = content["info"];
  if (typeof info === "object" && info !== null && !Array.isArray(info)) {
    const thumbnail = (info as Record<string, unknown>)["thumbnail_url"];
    if (thumbnail !== undefined && thumbnail !== null) {
      if (typeof thumbnail !== "string") return err("content.info.thumbnail_url must be a string");
      candidates.push(thumbnail);
    }
  }
  const items = new Map<string, MediaRef>();
  const invalid: string[] = [];
  for (const candidate of candidates) {
    if (candidate === "") continue;
    const parsed = parseMxcUri(candidate);
    if (parsed.ok) items.set(parsed.value.mxc, parsed.value);
    else invalid.push(parsed.error);
  }
  return ok({ items: [...items.values()], invalid });
}
