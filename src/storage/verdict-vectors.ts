import { contentInfo, type ContentInfo } from "../harms/content-info.js";

/** How a verdict sits in upstream's `events` columns. */
export interface EncodedVerdict {
  readonly isProbablySpam: boolean;
  /** JSON text of an object of name → number. */
  readonly confidenceVectors: string;
}

const HARM_PREFIX = "h:";
const ALLOWED_KEY = "Allowed";
/** Namespace upstream gives to keys written before harms existed. */
export const LEGACY_VECTOR_NAMESPACE = "org.matrix.policyserv.vec.";

/**
 * Encodes a verdict the way newer upstream does (api_storage_config §4.3): one `"h:<harm>": 1` per harm, plus
 * `"Allowed": 1` for an allowed event; keys sorted as Go marshals maps. A harm in the legacy namespace goes back to
 * its bare key so a row round-trips unchanged.
 */
export function encodeVerdict(info: ContentInfo): EncodedVerdict {
  const vectors: Record<string, number> = {};
  for (const harm of info.harms) {
    if (harm.startsWith(LEGACY_VECTOR_NAMESPACE)) vectors[harm.slice(LEGACY_VECTOR_NAMESPACE.length)] = 1;
    else vectors[HARM_PREFIX + harm] = 1;
  }
  if (info.class === "Allowed") vectors[ALLOWED_KEY] = 1;
  const sorted = Object.fromEntries(Object.entries(vectors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { isProbablySpam: info.class === "Prohibited", confidenceVectors: JSON.stringify(sorted) };
}

/**
 * Decodes either generation of stored row. Unlike upstream's newer decoder (which turns every cached row into
 * "prohibited", a missing `else`), the class is: Prohibited when the row says spam or carries harms, Allowed when
 * marked so, else Neutral. Seed-era keys (`spam`, `frequency`, ...) become namespaced harms only on spam rows,
 * because the seed wrote `spam: 0.5` on every event, spam or not. Unreadable JSON counts as no vectors.
 */
export function decodeVerdict(isProbablySpam: boolean, confidenceVectors: string): ContentInfo {
  let vectors: unknown;
  try {
    vectors = JSON.parse(confidenceVectors === "" ? "{}" : confidenceVectors);
  } catch {
    vectors = {};
  }
  const harms: string[] = [];
  let allowed = false;
  if (typeof vectors === "object" && vectors !== null && !Array.isArray(vectors)) {
    for (const key of Object.keys(vectors)) {
      if (key === ALLOWED_KEY) allowed = true;
      else if (key.startsWith(HARM_PREFIX)) harms.push(key.slice(HARM_PREFIX.length));
      else if (isProbablySpam) harms.push(LEGACY_VECTOR_NAMESPACE + key);
    }
  }
  if (isProbablySpam || harms.length > 0) return contentInfo("Prohibited", harms);
  return contentInfo(allowed ? "Allowed" : "Neutral");
}
