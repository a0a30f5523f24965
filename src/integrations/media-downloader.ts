/**
 * Downloads media through the operator's client-server API (`PS_HOMESERVER_MEDIA_CLIENT_URL` with
 * `PS_HOMESERVER_MEDIA_CLIENT_ACCESS_TOKEN`, federation.md §8.8) for the filters that scan media. Unlike upstream it
 * caps the size, caches recent downloads, and shares one download between concurrent requests for the same file,
 * so a burst of events reposting one image costs one transfer.
 */
import type { SafeFetch } from "../federation/safe-fetch.js";
import { escapePathSegment } from "../federation/path-escape.js";
import type { DownloadedMedia, MediaFetcher, MediaRef } from "../filters/types.js";
import { err, type Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { LruCache } from "./lru-cache.js";
import { callService, serviceErrorLabel } from "./service-call.js";

export interface MediaDownloaderOptions {
  readonly fetch: SafeFetch;
  /** The client-server API base URL, e.g. `https://matrix-client.matrix.org` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** Sent as a bearer token; upstream sends the header even when the token is empty, and so do we. */
  readonly accessToken: string | undefined;
  /** Largest file accepted (default 20 MiB); larger downloads are cut off and fail. */
  readonly maxBytes?: number;
  /** Deadline for one download (default 10 s). Callers with a shorter budget pass a signal. */
  readonly timeoutMs?: number;
  /** Redirect hops followed (default 3, as media repositories redirect to CDNs; each hop is re-checked). */
  readonly maxRedirects?: number;
  readonly cache?: { readonly maxEntries: number; readonly maxBytes: number; readonly ttlMs: number };
  readonly metrics?: IntegrationMetrics;
  readonly now?: () => number;
}

export const DEFAULT_MEDIA_MAX_BYTES = 20 * 1024 * 1024;

/** The download URL: `<base>/_matrix/client/v1/media/download/<origin>/<mediaId>`, each segment path-escaped. */
export function mediaDownloadUrl(baseUrl: string, ref: MediaRef): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/_matrix/client/v1/media/download/${escapePathSegment(ref.origin)}/${escapePathSegment(ref.mediaId)}`;
}

/** Creates the downloader; nothing is fetched until a filter asks. */
export function createMediaDownloader(options: MediaDownloaderOptions): MediaFetcher {
  const maxBytes = options.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  const cacheOptions = options.cache ?? { maxEntries: 256, maxBytes: 64 * 1024 * 1024, ttlMs: 10 * 60_000 };
  const cache = new LruCache<DownloadedMedia>({
    maxEntries: cacheOptions.maxEntries,
    maxWeight: cacheOptions.maxBytes,
    ttlMs: cacheOptions.ttlMs,
    weigh: (media) => media.bytes.byteLength,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const inFlight = new Map<string, Promise<Result<DownloadedMedia, string>>>();

  const fetchOnce = async (ref: MediaRef): Promise<Result<DownloadedMedia, string>> => {
    const response = await callService(options.fetch, `media download of ${ref.mxc}`, {
      url: mediaDownloadUrl(options.baseUrl, ref),
      headers: { Authorization: `Bearer ${options.accessToken ?? ""}` },
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBodyBytes: maxBytes,
      maxRedirects: options.maxRedirects ?? 3,
    });
    options.metrics?.calls.inc({ service: "media", outcome: response.ok ? "ok" : serviceErrorLabel(response.error) });
    if (!response.ok) return err(response.error.message);
    if (response.value.status !== 200) return err(`media download of ${ref.mxc}: HTTP ${response.value.status} (only 200 is accepted)`);
    const media: DownloadedMedia = { bytes: response.value.body, contentType: response.value.headers["content-type"] };
    cache.set(ref.mxc, media);
    return { ok: true, value: media };
  };

  return {
    download(ref, signal) {
      const cached = cache.get(ref.mxc);
      if (cached !== undefined) return Promise.resolve({ ok: true, value: cached });
      let shared = inFlight.get(ref.mxc);
      if (shared === undefined) {
        // Not tied to one caller's signal: another check may still want the file, and a finished download fills the cache.
        shared = fetchOnce(ref).finally(() => inFlight.delete(ref.mxc));
        inFlight.set(ref.mxc, shared);
      }
      return raceAbort(shared, signal, `media download of ${ref.mxc} was cancelled`);
    },
  };
}

/** Resolves with `promise`, or with an error as soon as `signal` aborts (the promise keeps running for others). */
export function raceAbort<T>(promise: Promise<Result<T, string>>, signal: AbortSignal | undefined, message: string): Promise<Result<T, string>> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.resolve(err(message));
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(err(message));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        resolve(err(`${message}: ${String(error)}`));
      },
    );
  });
}
