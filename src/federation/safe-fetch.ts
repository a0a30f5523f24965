import http from "node:http";
import https from "node:https";
import type { LookupFunction, Socket } from "node:net";
import { isIP } from "node:net";
import { err, ok, type Result } from "../result.js";
import type { NetworkPolicy } from "./network-policy.js";
import type { HostResolver, ResolvedAddress } from "./resolver.js";

/** A complete response: the body is fully read and bounded by the size limit. */
export interface FetchResponse {
  readonly status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The URL that produced this response (differs from the request URL after redirects). */
  readonly url: string;
}

/** Why a request produced no response. Every variant carries a human-readable `message`. */
export type FetchError =
  | { readonly kind: "invalid_url"; readonly message: string }
  | { readonly kind: "denied_address"; readonly host: string; readonly message: string }
  | { readonly kind: "dns"; readonly host: string; readonly message: string }
  | { readonly kind: "connect_timeout"; readonly message: string }
  | { readonly kind: "timeout"; readonly message: string }
  | { readonly kind: "too_large"; readonly limit: number; readonly message: string }
  | { readonly kind: "too_many_redirects"; readonly message: string }
  | { readonly kind: "aborted"; readonly message: string }
  | { readonly kind: "network"; readonly code: string | undefined; readonly message: string };

/** One outbound request. Everything except `url` has a default from the client's limits. */
export interface FetchRequest {
  readonly url: string | URL;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Overall deadline for the whole exchange, redirects included. */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Bytes of response body accepted; the transfer is aborted as soon as it is exceeded. */
  readonly maxBodyBytes?: number;
  /** Redirect hops to follow (default 0: a 3xx is returned as is). Each hop is re-checked against the policy. */
  readonly maxRedirects?: number;
  /** TLS SNI and certificate name when it differs from the URL host (federation discovery, §8.2). */
  readonly tlsServername?: string;
  /**
   * Skip the network policy for the request URL's own origin. Only for destinations the operator named
   * explicitly (PS_FEDERATION_HOST_OVERRIDES); a redirect to any other origin is checked again.
   */
  readonly bypassNetworkPolicy?: boolean;
  readonly signal?: AbortSignal;
}

/** The one outbound HTTP client of the product. It never throws for network conditions; it returns a FetchError. */
export type SafeFetch = (request: FetchRequest) => Promise<Result<FetchResponse, FetchError>>;

/** Defaults applied to requests that do not set their own. */
export interface FetchLimits {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxRedirects: number;
}

/** Federation-flavoured defaults: 30 s total and 5 s connect as upstream (§8.1), and a 16 MiB body bound. */
export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxRedirects: 0,
};

/** What a safe fetch is built from; all dependencies are parameters. */
export interface SafeFetchDeps {
  readonly policy: NetworkPolicy;
  readonly resolver: HostResolver;
  readonly limits?: Partial<FetchLimits>;
  /** Extra TLS trust (tests use a self-signed CA); system roots otherwise. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly userAgent?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Creates the outbound client. The network policy is applied to the address each connection is actually made
 * to: name resolution goes through a `lookup` hook that drops denied addresses before the socket connects, IP
 * literals are checked up front, and the connected socket's remote address is checked once more, so a name that
 * resolves to a public address for one query and a private one for the next (DNS rebinding) cannot slip through.
 */
export function createSafeFetch(deps: SafeFetchDeps): SafeFetch {
  const limits: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...deps.limits };
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return err({ kind: "invalid_url", message: `invalid URL: ${String(request.url)}` });
    }
    const deadline = Date.now() + (request.timeoutMs ?? limits.timeoutMs);
    const maxRedirects = request.maxRedirects ?? limits.maxRedirects;
    const exemptOrigin = request.bypassNetworkPolicy === true ? url.origin : undefined;
    let method = (request.method ?? "GET").toUpperCase();
    let body = request.body;
    let headers = request.headers ?? {};
    for (let hop = 0; ; hop++) {
      const exempt = exemptOrigin !== undefined && url.origin === exemptOrigin;
      const result = await fetchOnce(deps, {
        url,
        method,
        headers,
        body,
        deadline,
        exempt,
        connectTimeoutMs: request.connectTimeoutMs ?? limits.connectTimeoutMs,
        maxBodyBytes: request.maxBodyBytes ?? limits.maxBodyBytes,
        tlsServername: hop === 0 ? request.tlsServername : undefined,
        signal: request.signal,
      });
      if (!result.ok) return result;
      const response = result.value;
      const location = response.headers["location"];
      if (!REDIRECT_STATUSES.has(response.status) || location === undefined || maxRedirects === 0) return result;
      if (hop >= maxRedirects) {
        return err({ kind: "too_many_redirects", message: `more than ${maxRedirects} redirects starting at ${String(request.url)}` });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return err({ kind: "invalid_url", message: `redirect from ${url.href} to an invalid URL: ${location}` });
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        return err({ kind: "invalid_url", message: `redirect from ${url.href} to unsupported scheme ${next.protocol}` });
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      if (next.origin !== url.origin) headers = withoutHeaders(headers, ["authorization", "host", "cookie"]);
      url = next;
    }
  };
}

interface OnceOptions {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
  readonly deadline: number;
  readonly exempt: boolean;
  readonly connectTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly tlsServername: string | undefined;
  readonly signal: AbortSignal | undefined;
}

function fetchOnce(deps: SafeFetchDeps, o: OnceOptions): Promise<Result<FetchResponse, FetchError>> {
  const { url } = o;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.resolve(err({ kind: "invalid_url", message: `unsupported scheme ${url.protocol} in ${url.href}` }));
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (!o.exempt && isIP(host) !== 0) {
    const decision = deps.policy.check(host);
    if (!decision.allowed) return Promise.resolve(err({ kind: "denied_address", host, message: decision.reason }));
  }
  const remaining = o.deadline - Date.now();
  if (remaining <= 0) return Promise.resolve(err({ kind: "timeout", message: `request to ${url.href} timed out` }));

  return new Promise((resolve) => {
    let settled = false;
    let failure: FetchError | undefined;
    const finish = (result: Result<FetchResponse, FetchError>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      o.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const fail = (error: FetchError): void => {
      failure ??= error;
      req.destroy();
      finish(err(failure));
    };

    const lookup: LookupFunction = (hostname, options, callback) => {
      deps.resolver.lookup(hostname).then(
        (addresses) => {
          const usable = o.exempt ? addresses : addresses.filter((a) => deps.policy.check(a.address).allowed);
          const wanted = options.family === 4 || options.family === 6 ? usable.filter((a) => a.family === options.family) : usable;
          if (wanted.length === 0) {
            const reasons = addresses.map((a) => deps.policy.check(a.address)).flatMap((d) => (d.allowed ? [] : [d.reason]));
            failure ??=
              addresses.length === 0
                ? { kind: "dns", host: hostname, message: `${hostname} has no addresses` }
                : reasons.length > 0
                  ? { kind: "denied_address", host: hostname, message: `${hostname}: ${reasons.join("; ")}` }
                  : { kind: "dns", host: hostname, message: `${hostname} has no address of the wanted family` };
            callback(Object.assign(new Error(failure.message), { code: "EPOLICY" }), "", 0);
            return;
          }
          if (options.all === true) callback(null, wanted.map((a: ResolvedAddress) => ({ address: a.address, family: a.family })));
          else callback(null, wanted[0]?.address ?? "", wanted[0]?.family ?? 4);
        },
        (error: unknown) => {
          const code = (error as { code?: string }).code;
          failure ??= { kind: "dns", host: hostname, message: `cannot resolve ${hostname}: ${code ?? String(error)}` };
          callback(Object.assign(new Error(failure.message), { code: code ?? "EDNS" }), "", 0);
        },
      );
    };

    const headers: Record<string, string> = { ...o.headers };
    if (deps.userAgent !== undefined && !hasHeader(headers, "user-agent")) headers["User-Agent"] = deps.userAgent;
    const bodyBytes = o.body === undefined ? undefined : typeof o.body === "string" ? Buffer.from(o.body, "utf8") : o.body;
    if (bodyBytes !== undefined) headers["Content-Length"] = String(bodyBytes.byteLength);

    const common: http.RequestOptions = {
      method: o.method,
      hostname: host,
      port: url.port === "" ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false,
      lookup,
    };
    const req =
      url.protocol === "https:"
        ? https.request({
            ...common,
            ...(o.tlsServername !== undefined ? { servername: o.tlsServername } : {}),
            ...(deps.ca !== undefined ? { ca: deps.ca as string | Buffer | (string | Buffer)[] } : {}),
          })
        : http.request(common);

    const totalTimer = setTimeout(() => fail({ kind: "timeout", message: `request to ${url.href} timed out` }), remaining);
    const connectTimer = setTimeout(
      () => fail({ kind: "connect_timeout", message: `connecting to ${url.host} timed out` }),
      Math.min(o.connectTimeoutMs, remaining),
    );
    const onAbort = (): void => fail({ kind: "aborted", message: `request to ${url.href} was aborted` });
    if (o.signal?.aborted === true) {
      queueMicrotask(onAbort);
    } else {
      o.signal?.addEventListener("abort", onAbort, { once: true });
    }

    req.on("socket", (socket: Socket) => {
      socket.once("connect", () => {
        clearTimeout(connectTimer);
        // Defence in depth: judge the peer we are really talking to, whatever produced its address.
        const remote = socket.remoteAddress;
        if (!o.exempt && remote !== undefined) {
          const decision = deps.policy.check(remote);
          if (!decision.allowed) fail({ kind: "denied_address", host, message: decision.reason });
        }
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      fail(failure ?? { kind: "network", code: error.code, message: `request to ${url.href} failed: ${error.message}` });
    });
    req.on("response", (res) => {
      const declared = Number(res.headers["content-length"] ?? NaN);
      if (Number.isFinite(declared) && declared > o.maxBodyBytes) {
        fail(tooLarge(url, o.maxBodyBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > o.maxBodyBytes) {
          fail(tooLarge(url, o.maxBodyBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (error: NodeJS.ErrnoException) => {
        fail(failure ?? { kind: "network", code: error.code, message: `reading ${url.href} failed: ${error.message}` });
      });
      res.on("end", () => {
        finish(ok({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks), url: url.href }));
      });
    });
    req.end(bodyBytes);
  });
}

function tooLarge(url: URL, limit: number): FetchError {
  return { kind: "too_large", limit, message: `response from ${url.href} exceeds ${limit} bytes` };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function withoutHeaders(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}
