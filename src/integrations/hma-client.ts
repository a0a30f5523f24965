/**
 * The Hasher-Matcher-Actioner API (filters.md §2.18): hash a file with `POST <api>/h/hash` (multipart, field `photo`
 * or `video`, filename `x`) and look each signal up with `GET <api>/m/lookup?signal_type=…&signal=…`, whose answer is
 * an object keyed by the names of the banks that matched. `createHmaMediaMatcher` combines it with the media
 * downloader and caches each media item's matching banks, so a reposted file is hashed once.
 */
import { randomBytes } from "node:crypto";
import type { SafeFetch } from "../federation/safe-fetch.js";
import { queryString } from "../federation/path-escape.js";
import type { MediaFetcher, MediaMatcher } from "../filters/types.js";
import { err, ok, type Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { LruCache } from "./lru-cache.js";
import { raceAbort } from "./media-downloader.js";
import { sniffMediaKind, type MediaKind } from "./media-kind.js";
import { callService, malformed, parseJsonBody, serviceErrorLabel, type ServiceError } from "./service-call.js";

export interface HmaClientOptions {
  readonly fetch: SafeFetch;
  /** `PS_HMA_API_URL`, the base URL of the HMA instance. */
  readonly apiUrl: string;
  /** `PS_HMA_API_KEY`, sent as a bearer token (an empty key sends no header). */
  readonly apiKey: string | undefined;
  /** Deadline of one call (default 3 s). */
  readonly timeoutMs?: number;
  /** Largest response accepted (default 256 KiB). */
  readonly maxResponseBytes?: number;
  readonly metrics?: IntegrationMetrics;
}

/** The two HMA calls. Errors are ServiceErrors so callers can tell a timeout from a malformed answer. */
export interface HmaClient {
  /** signal type → hash, e.g. `{"pdq": "…"}`. */
  hash(bytes: Uint8Array, kind: MediaKind, signal?: AbortSignal): Promise<Result<Readonly<Record<string, string>>, ServiceError>>;
  /** The bank names holding a match for this signal. */
  lookup(signalType: string, hash: string, signal?: AbortSignal): Promise<Result<readonly string[], ServiceError>>;
}

/** A multipart/form-data body with one file part; hand-built because it is one part and no boundary can collide. */
export function multipartFile(field: string, filename: string, bytes: Uint8Array): { body: Buffer; contentType: string } {
  const boundary = `policyserv-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
    "utf8",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, "utf8");
  return { body: Buffer.concat([head, bytes, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function createHmaClient(options: HmaClientOptions): HmaClient {
  if (options.apiUrl === "") throw new Error("the HMA client needs PS_HMA_API_URL");
  const base = options.apiUrl.replace(/\/+$/, "");
  const auth: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
  const limits = { timeoutMs: options.timeoutMs ?? 3_000, maxBodyBytes: options.maxResponseBytes ?? 256 * 1024 };
  const count = (service: string, result: Result<unknown, ServiceError>): void =>
    options.metrics?.calls.inc({ service, outcome: result.ok ? "ok" : serviceErrorLabel(result.error) });

  return {
    async hash(bytes, kind, signal) {
      const what = "HMA hash";
      const form = multipartFile(kind, "x", bytes);
      const response = await callService(options.fetch, what, {
        url: `${base}/h/hash`,
        method: "POST",
        headers: { ...auth, "Content-Type": form.contentType },
        body: form.body,
        ...limits,
        ...(signal === undefined ? {} : { signal }),
      });
      const result = ((): Result<Readonly<Record<string, string>>, ServiceError> => {
        if (!response.ok) return response;
        const json = parseJsonBody(response.value, what);
        if (!json.ok) return json;
        const value = json.value;
        if (typeof value !== "object" || value === null || Array.isArray(value)) return malformed(what, "not an object of signal type → hash");
        const hashes: Record<string, string> = {};
        for (const [type, hash] of Object.entries(value as Record<string, unknown>)) {
          if (typeof hash !== "string") return malformed(what, `the hash for ${JSON.stringify(type)} is not a string`);
          hashes[type] = hash;
        }
        return ok(hashes);
      })();
      count("hma_hash", result);
      return result;
    },

    async lookup(signalType, hash, signal) {
      const what = `HMA lookup (${signalType})`;
      const response = await callService(options.fetch, what, {
        url: `${base}/m/lookup${queryString([["signal_type", signalType], ["signal", hash]])}`,
        headers: auth,
        ...limits,
        ...(signal === undefined ? {} : { signal }),
      });
      const result = ((): Result<readonly string[], ServiceError> => {
        if (!response.ok) return response;
        const json = parseJsonBody(response.value, what);
        if (!json.ok) return json;
        const value = json.value;
        if (typeof value !== "object" || value === null || Array.isArray(value)) return malformed(what, "not an object keyed by bank name");
        return ok(Object.keys(value).sort());
      })();
      count("hma_lookup", result);
      return result;
    },
  };
}

export interface HmaMediaMatcherOptions {
  readonly client: HmaClient;
  readonly media: MediaFetcher;
  /** Matching banks are cached per mxc URI (default 10,000 items for 1 hour); errors are never cached. */
  readonly cache?: { readonly maxEntries: number; readonly ttlMs: number };
  readonly now?: () => number;
}

/**
 * Download → sniff → hash → look every signal up; the union of matching banks. The result depends only on the file
 * and the HMA instance, not on the community, so one cache entry serves every community (each filters by its own
 * enabled banks). The TTL lets banks that gain hashes catch files seen before.
 */
export function createHmaMediaMatcher(options: HmaMediaMatcherOptions): MediaMatcher {
  const cache = new LruCache<readonly string[]>({
    maxEntries: options.cache?.maxEntries ?? 10_000,
    ttlMs: options.cache?.ttlMs ?? 3_600_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const inFlight = new Map<string, Promise<Result<readonly string[], string>>>();

  const scan = async (ref: Parameters<MediaMatcher["matchBanks"]>[0]): Promise<Result<readonly string[], string>> => {
    const downloaded = await options.media.download(ref);
    if (!downloaded.ok) return downloaded;
    const hashes = await options.client.hash(downloaded.value.bytes, sniffMediaKind(downloaded.value.bytes));
    if (!hashes.ok) return err(hashes.error.message);
    const banks = new Set<string>();
    const lookups = await Promise.all(Object.entries(hashes.value).map(([type, hash]) => options.client.lookup(type, hash)));
    for (const lookup of lookups) {
      if (!lookup.ok) return err(lookup.error.message);
      for (const bank of lookup.value) banks.add(bank);
    }
    const matched = [...banks].sort();
    cache.set(ref.mxc, matched);
    return ok(matched);
  };

  return {
    matchBanks(ref, signal) {
      const cached = cache.get(ref.mxc);
      if (cached !== undefined) return Promise.resolve(ok(cached));
      let shared = inFlight.get(ref.mxc);
      if (shared === undefined) {
        shared = scan(ref).finally(() => inFlight.delete(ref.mxc));
        inFlight.set(ref.mxc, shared);
      }
      return raceAbort(shared, signal, `HMA scan of ${ref.mxc} was cancelled`);
    },
  };
}
