import { err, ok, type Result } from "../result.js";
import type { HostResolver, SrvRecord } from "./resolver.js";
import type { SafeFetch } from "./safe-fetch.js";
import { parseServerName, urlHost, type ParsedServerName } from "./server-name.js";

/** Where to send federation requests for one server, in the order to try. */
export interface FederationEndpoint {
  /** Scheme, host and port, no trailing slash, e.g. `https://matrix.example.org:8448`. */
  readonly baseUrl: string;
  /** The `Host` header the destination expects (the server name or the delegated name). */
  readonly hostHeader: string;
  /** TLS SNI / certificate name when it differs from the connect host (SRV targets); undefined for IP literals. */
  readonly tlsServername: string | undefined;
  /** True when the operator named this destination in PS_FEDERATION_HOST_OVERRIDES: the network policy is skipped. */
  readonly fromOverride: boolean;
}

export interface DiscoveryError {
  readonly kind: "invalid_server_name";
  readonly message: string;
}

/** Server discovery (federation.md §8.2) with caching; dependencies are parameters of `createDiscovery`. */
export interface Discovery {
  resolve(serverName: string): Promise<Result<FederationEndpoint[], DiscoveryError>>;
  /** Drops the cached resolution, e.g. after every endpoint failed to connect (the spec's retry rule). */
  forget(serverName: string): void;
}

/** Bounds for caching `/.well-known/matrix/server`, chosen as Synapse does. */
export interface WellKnownCachePolicy {
  /** When the response says nothing about caching. */
  readonly defaultMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** How long a failed or invalid well-known is remembered before trying again. */
  readonly errorMs: number;
  /** How long SRV / default resolutions (no well-known) are remembered. */
  readonly resolutionMs: number;
}

export const DEFAULT_WELL_KNOWN_CACHE: WellKnownCachePolicy = {
  defaultMs: 24 * 3600_000,
  minMs: 5 * 60_000,
  maxMs: 48 * 3600_000,
  errorMs: 2 * 60_000,
  resolutionMs: 3600_000,
};

export interface DiscoveryDeps {
  readonly fetch: SafeFetch;
  readonly resolver: HostResolver;
  /** Parsed PS_FEDERATION_HOST_OVERRIDES: server name → base URL. */
  readonly overrides?: ReadonlyMap<string, string>;
  readonly cache?: Partial<WellKnownCachePolicy>;
  readonly now?: () => number;
  /** Bound on the well-known fetch; upstream uses 30 s, which stalls joins far too long on a dead host. */
  readonly wellKnownTimeoutMs?: number;
}

const DEFAULT_PORT = 8448;
const WELL_KNOWN_MAX_BYTES = 50 * 1024;
const WELL_KNOWN_MAX_REDIRECTS = 5;

/**
 * Parses PS_FEDERATION_HOST_OVERRIDES: comma-separated `server_name=base_url` items (trimmed, empty items
 * skipped). The base URL must be http(s) with no path, query or credentials, so it can be joined with request
 * paths; the error names the offending item.
 */
export function parseHostOverrides(csv: string): Result<Map<string, string>, string> {
  const out = new Map<string, string>();
  for (const raw of csv.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq <= 0) return err(`"${item}" is not server_name=base_url`);
    const name = item.slice(0, eq).trim();
    const base = item.slice(eq + 1).trim();
    if (!parseServerName(name).ok) return err(`"${item}": "${name}" is not a valid server name`);
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      return err(`"${item}": "${base}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return err(`"${item}": base URL must be http or https`);
    if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || url.pathname !== "/") {
      return err(`"${item}": base URL must be scheme://host[:port] only`);
    }
    if (out.has(name)) return err(`"${name}" is overridden twice`);
    out.set(name, url.origin);
  }
  return ok(out);
}

interface CacheEntry {
  readonly endpoints: FederationEndpoint[];
  readonly expiresAt: number;
}

type WellKnownOutcome = { readonly delegated: string | undefined; readonly expiresAt: number };

/**
 * Builds the discovery service. Resolutions are cached per server name; concurrent resolutions of one name share
 * one look-up. The well-known fetch goes through the same safe fetch (so also through the network policy,
 * stricter than upstream, which let it reach private addresses).
 */
export function createDiscovery(deps: DiscoveryDeps): Discovery {
  const cachePolicy: WellKnownCachePolicy = { ...DEFAULT_WELL_KNOWN_CACHE, ...deps.cache };
  const now = deps.now ?? Date.now;
  const overrides = deps.overrides ?? new Map<string, string>();
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<CacheEntry>>();

  async function lookupWellKnown(host: string): Promise<WellKnownOutcome> {
    const failed = (): WellKnownOutcome => ({ delegated: undefined, expiresAt: now() + cachePolicy.errorMs });
    const response = await deps.fetch({
      url: `https://${urlHost(host)}/.well-known/matrix/server`,
      maxRedirects: WELL_KNOWN_MAX_REDIRECTS,
      maxBodyBytes: WELL_KNOWN_MAX_BYTES,
      ...(deps.wellKnownTimeoutMs !== undefined ? { timeoutMs: deps.wellKnownTimeoutMs } : {}),
    });
    if (!response.ok || response.value.status !== 200) return failed();
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.value.body.toString("utf8"));
    } catch {
      return failed();
    }
    const delegated = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["m.server"] : undefined;
    if (typeof delegated !== "string" || !parseServerName(delegated).ok) return failed();
    return { delegated, expiresAt: now() + cacheLifetime(response.value.headers, cachePolicy, now()) };
  }

  async function srvEndpoints(host: string, hostHeader: string): Promise<FederationEndpoint[] | undefined> {
    let records: SrvRecord[] | undefined;
    for (const prefix of ["_matrix-fed._tcp.", "_matrix._tcp."]) {
      try {
        records = await deps.resolver.resolveSrv(`${prefix}${host}`);
        break;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Only "no such record" moves on to the legacy name; any other DNS failure goes straight to port 8448.
        if (code !== "ENOTFOUND" && code !== "ENODATA") return undefined;
      }
    }
    if (records === undefined || records.length === 0) return undefined;
    return [...records]
      .sort((a, b) => a.priority - b.priority)
      .map((r) => {
        const target = r.name.endsWith(".") ? r.name.slice(0, -1) : r.name;
        return { baseUrl: `https://${urlHost(target)}:${r.port}`, hostHeader, tlsServername: host, fromOverride: false };
      });
  }

  /** Steps 1, 2 and 4-6 of §8.2 for a name that is not (or no longer) subject to well-known delegation. */
  async function resolveWithoutWellKnown(name: string, parsed: ParsedServerName): Promise<FederationEndpoint[]> {
    if (parsed.kind !== "dns") {
      return [{ baseUrl: `https://${urlHost(parsed.host)}:${parsed.port ?? DEFAULT_PORT}`, hostHeader: name, tlsServername: undefined, fromOverride: false }];
    }
    if (parsed.port !== undefined) {
      return [{ baseUrl: `https://${parsed.host}:${parsed.port}`, hostHeader: name, tlsServername: parsed.host, fromOverride: false }];
    }
    const srv = await srvEndpoints(parsed.host, parsed.host);
    if (srv !== undefined) return srv;
    return [{ baseUrl: `https://${parsed.host}:${DEFAULT_PORT}`, hostHeader: parsed.host, tlsServername: parsed.host, fromOverride: false }];
  }

  async function discover(serverName: string, parsed: ParsedServerName): Promise<CacheEntry> {
    if (parsed.kind !== "dns" || parsed.port !== undefined) {
      return { endpoints: await resolveWithoutWellKnown(serverName, parsed), expiresAt: now() + cachePolicy.resolutionMs };
    }
    const wellKnown = await lookupWellKnown(parsed.host);
    if (wellKnown.delegated !== undefined) {
      const delegatedParsed = parseServerName(wellKnown.delegated);
      if (delegatedParsed.ok) {
        const endpoints = await resolveWithoutWellKnown(wellKnown.delegated, delegatedParsed.value);
        return { endpoints, expiresAt: wellKnown.expiresAt };
      }
    }
    const endpoints = await resolveWithoutWellKnown(serverName, parsed);
    return { endpoints, expiresAt: Math.min(wellKnown.expiresAt, now() + cachePolicy.resolutionMs) };
  }

  return {
    async resolve(serverName) {
      const override = overrides.get(serverName);
      if (override !== undefined) {
        const hostHeader = new URL(override).host;
        return ok([{ baseUrl: override, hostHeader, tlsServername: undefined, fromOverride: true }]);
      }
      const parsed = parseServerName(serverName);
      if (!parsed.ok) return err({ kind: "invalid_server_name", message: parsed.error });
      const cached = cache.get(serverName);
      if (cached !== undefined && cached.expiresAt > now()) return ok(cached.endpoints);
      let pending = inflight.get(serverName);
      if (pending === undefined) {
        pending = discover(serverName, parsed.value).finally(() => inflight.delete(serverName));
        inflight.set(serverName, pending);
      }
      const entry = await pending;
      cache.set(serverName, entry);
      return ok(entry.endpoints);
    },
    forget(serverName) {
      cache.delete(serverName);
    },
  };
}

/**
 * How long a well-known answer is kept: `Cache-Control: max-age` (no-store/no-cache mean the minimum), else
 * `Expires`, else the default, always clamped to [min, max] so a hostile server can neither pin a bad answer
 * for ever nor make us refetch on every request.
 */
export function cacheLifetime(headers: Readonly<Record<string, string>>, policy: WellKnownCachePolicy, nowMs: number): number {
  const clamp = (ms: number): number => Math.max(policy.minMs, Math.min(policy.maxMs, ms));
  const cacheControl = headers["cache-control"];
  if (cacheControl !== undefined) {
    const directives = cacheControl.toLowerCase().split(",").map((d) => d.trim());
    if (directives.includes("no-store") || directives.includes("no-cache")) return policy.minMs;
    for (const d of directives) {
      const m = /^max-age=(\d+)$/.exec(d);
      if (m !== null) return clamp(Number(m[1]) * 1000);
    }
  }
  const expires = headers["expires"];
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) return clamp(at - nowMs);
  }
  return policy.defaultMs;
}
