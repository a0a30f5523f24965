/**
 * A scriptable fake homeserver for tests: an HTTP server on 127.0.0.1 (port 0) with a route table and a request
 * log, plus helpers that serve self-signed server keys and a notary. Unit, HTTP and end-to-end tests share it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signJson, type JsonObject, type JsonValue, type SigningKey } from "../../src/matrix/index.js";

/** One request as the fake received it. `path` is the raw path and query, exactly as sent. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  readonly json: unknown;
}

/** What a route answers. `body` objects are sent as JSON; strings and Buffers as they are. */
export interface RouteResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: JsonValue | Buffer | string;
}

/** Special answers: never respond (until the server closes), or cut the connection. */
export const HANG = Symbol("hang");
export const DESTROY = Symbol("destroy");

export type RouteHandler = (
  req: RecordedRequest,
  params: Readonly<Record<string, string>>,
) => RouteResponse | typeof HANG | typeof DESTROY | Promise<RouteResponse | typeof HANG | typeof DESTROY>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: string[];
  readonly handler: RouteHandler;
}

export interface FakeHomeserverOptions {
  /** The server name this fake claims (for key responses). Default `hs.test`. */
  readonly serverName?: string;
  /** The key it signs its key responses with. */
  readonly signingKey?: SigningKey;
}

export interface ServeKeysOptions {
  readonly validUntilTs?: number;
  /** Extra keys listed under `old_verify_keys`: keyId → {key, expired_ts}. */
  readonly oldVerifyKeys?: Readonly<Record<string, { key: string; expired_ts: number }>>;
  /** Keys that sign the response; defaults to the fake's own key. */
  readonly signers?: readonly SigningKey[];
  /** Rewrites the signed object before it is sent, to simulate tampering. */
  readonly tamper?: (obj: JsonObject) => JsonObject;
}

/** Builds a server keys object for `serverName` listing `key` (and extra keys), signed by `signers`. */
export function serverKeysObject(serverName: string, key: SigningKey, options: ServeKeysOptions = {}): JsonObject {
  const unsigned: JsonObject = {
    server_name: serverName,
    valid_until_ts: options.validUntilTs ?? Date.now() + 24 * 3600_000,
    verify_keys: { [key.keyId]: { key: key.publicKeyBase64 } },
    old_verify_keys: { ...(options.oldVerifyKeys ?? {}) },
  };
  let signed: JsonObject = unsigned;
  for (const signer of options.signers ?? [key]) signed = signJson(signed, serverName, signer);
  return options.tamper ? options.tamper(signed) : signed;
}

/** The fake server. Create with `FakeHomeserver.start()`, always `close()` it (tests use `t.after`). */
export class FakeHomeserver {
  readonly requests: RecordedRequest[] = [];
  readonly serverName: string;
  readonly signingKey: SigningKey | undefined;
  readonly #server: http.Server;
  readonly #routes: Route[] = [];
  readonly #hanging = new Set<http.ServerResponse>();

  private constructor(server: http.Server, options: FakeHomeserverOptions) {
    this.#server = server;
    this.serverName = options.serverName ?? "hs.test";
    this.signingKey = options.signingKey;
  }

  static async start(options: FakeHomeserverOptions = {}): Promise<FakeHomeserver> {
    const server = http.createServer();
    const fake = new FakeHomeserver(server, options);
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`, the value to put in PS_FEDERATION_HOST_OVERRIDES. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Adds a route. `path` is a pathname with `:name` segments (matched against the raw, still-escaped path;
   * params are decoded) or a RegExp. Later routes take precedence, so tests can override defaults.
   */
  route(method: string, path: string | RegExp, handler: RouteHandler): this {
    const names: string[] = [];
    const pattern =
      typeof path === "string"
        ? new RegExp(
            `^${path
              .split("/")
              .map((seg) => {
                if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
                names.push(seg.slice(1));
                return "([^/]+)";
              })
              .join("/")}$`,
          )
        : path;
    this.#routes.unshift({ method: method.toUpperCase(), pattern, names, handler });
    return this;
  }

  /** Requests whose method matches and whose pathname starts with `prefix`. */
  requestsTo(method: string, prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && r.pathname.startsWith(prefix));
  }

  /** Serves `GET /_matrix/key/v2/server`, freshly signed for each request (as a real server does). */
  serveKeys(options: ServeKeysOptions = {}): this {
    const key = this.signingKey;
    if (key === undefined) throw new Error("serveKeys needs a fake started with a signingKey");
    return this.route("GET", "/_matrix/key/v2/server", () => ({ body: serverKeysObject(this.serverName, key, options) }));
  }

  /**
   * Serves `POST /_matrix/key/v2/query` as a notary: for each requested server, `lookup` returns the key objects
   * to vouch for (already self-signed by the origin), and the notary signs each with its own key.
   */
  serveNotary(lookup: (server: string, body: JsonObject) => readonly JsonObject[]): this {
    const key = this.signingKey;
    if (key === undefined) throw new Error("serveNotary needs a fake started with a signingKey");
    return this.route("POST", "/_matrix/key/v2/query", (req) => {
      const body = req.json as JsonObject;
      const wanted = (body["server_keys"] ?? {}) as JsonObject;
      const entries: JsonValue[] = [];
      for (const server of Object.keys(wanted)) {
        for (const entry of lookup(server, body)) entries.push(signJson(entry, this.serverName, key));
      }
      return { body: { server_keys: entries } };
    });
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rawPath = req.url ?? "/";
    const url = new URL(rawPath, "http://fake.invalid");
    let json: unknown;
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        json = undefined;
      }
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: rawPath,
      pathname: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
    };
    this.requests.push(recorded);
    const route = this.#routes.find((r) => r.method === recorded.method && r.pattern.test(url.pathname));
    if (route === undefined) {
      send(res, { status: 404, body: { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" } });
      return;
    }
    const match = route.pattern.exec(url.pathname);
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(match?.[i + 1] ?? "")));
    const answer = await route.handler(recorded, params);
    if (answer === HANG) {
      this.#hanging.add(res);
      return;
    }
    if (answer === DESTROY) {
      res.destroy();
      return;
    }
    send(res, answer);
  }
}

function send(res: http.ServerResponse, answer: RouteResponse): void {
  const body = answer.body;
  const payload =
    body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : typeof body === "string" ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { ...answer.headers };
  if (body !== undefined && !Buffer.isBuffer(body) && typeof body !== "string" && headers["content-type"] === undefined) {
    headers["content-type"] = "application/json";
  }
  res.writeHead(answer.status ?? 200, headers);
  res.end(payload);
}
