import {
  encodeCanonicalJson,
  isJsonObject,
  parseStrictJson,
  signXMatrixHeader,
  type JsonObject,
  type JsonValue,
  type SigningKey,
} from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { Discovery, FederationEndpoint } from "./discovery.js";
import { escapePathSegment, queryString } from "./path-escape.js";
import type { FetchError, FetchResponse, SafeFetch } from "./safe-fetch.js";

/** Why a federation call failed. `http` keeps the peer's Matrix error for logging and fallback decisions. */
export type FederationError =
  | { readonly kind: "discovery"; readonly message: string }
  | { readonly kind: "fetch"; readonly cause: FetchError; readonly message: string }
  | {
      readonly kind: "http";
      readonly status: number;
      readonly errcode: string | undefined;
      readonly error: string | undefined;
      readonly message: string;
    }
  | { readonly kind: "bad_response"; readonly message: string };

/** Minimal logger shape (pino-compatible) so the client does not depend on a logging library. */
export interface FederationLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface FederationClientDeps {
  /** Our server name: the X-Matrix origin and the `origin` of transactions. */
  readonly serverName: string;
  /** The homeserver signing key (never the event key): X-Matrix headers and our join events are signed with it. */
  readonly signingKey: SigningKey;
  readonly discovery: Discovery;
  readonly fetch: SafeFetch;
  readonly logger?: FederationLogger;
  /** Per-request deadline; 30 s as upstream unless the call sets its own. */
  readonly timeoutMs?: number;
  /** Response size bound for ordinary calls; state and send_join responses get `largeResponseBytes`. */
  readonly maxResponseBytes?: number;
  readonly largeResponseBytes?: number;
  readonly now?: () => number;
}

/** Options one call may set. `signed: false` is for the key endpoints, which are unauthenticated (§8.1). */
export interface RequestOptions {
  readonly signed?: boolean;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export interface MakeJoinResponse {
  readonly event: JsonObject;
  /** Absent in responses from very old servers; the join flow then infers it (federation.md §6.2 step 3). */
  readonly roomVersion: string | undefined;
}

export interface SendJoinResponse {
  readonly origin: string | undefined;
  readonly state: JsonObject[];
  readonly authChain: JsonObject[];
  /** The resident server's copy of our join (may carry extra signatures for restricted joins). */
  readonly event: JsonObject | undefined;
  readonly apiVersion: "v1" | "v2";
}

export interface StateResponse {
  readonly pdus: JsonObject[];
  readonly authChain: JsonObject[];
}

export interface StateIdsResponse {
  readonly pduIds: string[];
  readonly authChainIds: string[];
}

export interface EventResponse {
  readonly origin: string | undefined;
  readonly originServerTs: number | undefined;
  /** The one PDU the response must carry (federation.md §8.7). */
  readonly pdu: JsonObject;
}

export interface TransactionResponse {
  /** Per-PDU results keyed by event ID, as the peer sent them. */
  readonly pdus: Readonly<Record<string, JsonObject>>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 8 * 1024 * 1024;
const DEFAULT_LARGE_RESPONSE = 256 * 1024 * 1024;

/** Fetch errors worth trying the next discovered endpoint for; a timeout already spent the caller's budget. */
const TRY_NEXT_ENDPOINT = new Set<FetchError["kind"]>(["network", "connect_timeout", "dns", "denied_address"]);

/**
 * Outbound federation API calls, signed with X-Matrix and validated into typed Result values. It holds no
 * state besides its dependencies, so one instance serves every actor.
 */
export class FederationClient {
  readonly #deps: FederationClientDeps;

  constructor(deps: FederationClientDeps) {
    this.#deps = deps;
  }

  /**
   * One request to `destination`. `pathAndQuery` must already be escaped: it is sent and signed byte for byte.
   * Resolves to the parsed JSON body of a 2xx answer; any other status is an `http` error.
   */
  async request(
    method: string,
    destination: string,
    pathAndQuery: string,
    content?: JsonValue,
    options: RequestOptions = {},
  ): Promise<Result<JsonValue, FederationError>> {
    const endpoints = await this.#deps.discovery.resolve(destination);
    if (!endpoints.ok) return err({ kind: "discovery", message: endpoints.error.message });
    const body = content === undefined ? undefined : encodeCanonicalJson(content);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (options.signed !== false) {
      headers["Authorization"] = signXMatrixHeader({
        method,
        uri: pathAndQuery,
        origin: this.#deps.serverName,
        destination,
        ...(content !== undefined ? { content } : {}),
        key: this.#deps.signingKey,
      });
    }
    let last: FederationError | undefined;
    for (const endpoint of endpoints.value) {
      const response = await this.#send(endpoint, method, pathAndQuery, headers, body, options);
      if (response.ok) return interpret(response.value, method, destination, pathAndQuery);
      last = { kind: "fetch", cause: response.error, message: `${method} ${destination}${pathAndQuery}: ${response.error.message}` };
      if (!TRY_NEXT_ENDPOINT.has(response.error.kind)) return err(last);
    }
    // Every endpoint failed to connect: forget the resolution so the next call discovers afresh (§8.2).
    this.#deps.discovery.forget(destination);
    this.#deps.logger?.debug({ destination, error: last?.message }, "all federation endpoints failed");
    return err(last ?? { kind: "discovery", message: `no endpoints for ${destination}` });
  }

  #send(
    endpoint: FederationEndpoint,
    method: string,
    pathAndQuery: string,
    headers: Record<string, string>,
    body: string | undefined,
    options: RequestOptions,
  ): Promise<Result<FetchResponse, FetchError>> {
    return this.#deps.fetch({
      url: `${endpoint.baseUrl}${pathAndQuery}`,
      method,
      headers: { ...headers, Host: endpoint.hostHeader },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: options.timeoutMs ?? this.#deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBodyBytes: options.maxBodyBytes ?? this.#deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE,
      ...(endpoint.tlsServername !== undefined ? { tlsServername: endpoint.tlsServername } : {}),
      bypassNetworkPolicy: endpoint.fromOverride,
    });
  }

  get #large(): number {
    return this.#deps.largeResponseBytes ?? DEFAULT_LARGE_RESPONSE;
  }

  /** `GET /make_join` offering `versions` (federation.md §6.2 step 2). */
  async makeJoin(
    server: string,
    roomId: string,
    userId: string,
    versions: readonly string[],
  ): Promise<Result<MakeJoinResponse, FederationError>> {
    const path =
      `/_matrix/federation/v1/make_join/${escapePathSegment(roomId)}/${escapePathSegment(userId)}` +
      queryString(versions.map((v) => ["ver", v] as const));
    const res = await this.request("GET", server, path);
    if (!res.ok) return res;
    const body = res.value;
    if (!isJsonObject(body) || !isJsonObject(body["event"])) return bad("make_join response has no event object");
    const roomVersion = body["room_version"];
    if (roomVersion !== undefined && typeof roomVersion !== "string") return bad("make_join room_version is not a string");
    return ok({ event: body["event"], roomVersion });
  }

  /**
   * `PUT /send_join`, v2 first. Falls back to v1 when the peer does not know v2: 404/405/400 with no errcode or
   * `M_UNRECOGNIZED` (Synapse's "unknown endpoint" rule). A 404 `M_NOT_FOUND` is a real answer and is returned.
   */
  async sendJoin(
    server: string,
    roomId: string,
    eventId: string,
    event: JsonObject,
  ): Promise<Result<SendJoinResponse, FederationError>> {
    const tail = `${escapePathSegment(roomId)}/${escapePathSegment(eventId)}`;
    const opts = { maxBodyBytes: this.#large };
    const v2 = await this.request("PUT", server, `/_matrix/federation/v2/send_join/${tail}`, event, opts);
    if (v2.ok) return parseSendJoin(v2.value, "v2");
    if (!isUnknownEndpoint(v2.error)) return v2;
    this.#deps.logger?.debug({ server }, "send_join v2 unknown, falling back to v1");
    const v1 = await this.request("PUT", server, `/_matrix/federation/v1/send_join/${tail}`, event, opts);
    if (!v1.ok) return v1;
    const body = v1.value;
    if (!Array.isArray(body) || body.length !== 2 || body[0] !== 200) return bad("send_join v1 response is not [200, {...}]");
    return parseSendJoin(body[1] ?? null, "v1");
  }

  /** `GET /state/{roomId}?event_id=`: full state and auth chain at an event. */
  async getState(server: string, roomId: string, eventId: string): Promise<Result<StateResponse, FederationError>> {
    const path = `/_matrix/federation/v1/state/${escapePathSegment(roomId)}${queryString([["event_id", eventId]])}`;
    const res = await this.request("GET", server, path, undefined, { maxBodyBytes: this.#large });
    if (!res.ok) return res;
    const body = res.value;
    if (!isJsonObject(body)) return bad("state response is not an object");
    const pdus = objectArray(body["pdus"]);
    const authChain = objectArray(body["auth_chain"]);
    if (pdus === undefined || authChain === undefined) return bad("state response needs pdus and auth_chain arrays of objects");
    return ok({ pdus, authChain });
  }

  /** `GET /state_ids/{roomId}?event_id=`: state and auth chain as event IDs. */
  async getStateIds(server: string, roomId: string, eventId: string): Promise<Result<StateIdsResponse, FederationError>> {
    const path = `/_matrix/federation/v1/state_ids/${escapePathSegment(roomId)}${queryString([["event_id", eventId]])}`;
    const res = await this.request("GET", server, path, undefined, { maxBodyBytes: this.#large });
    if (!res.ok) return res;
    const body = res.value;
    if (!isJsonObject(body)) return bad("state_ids response is not an object");
    const pduIds = stringArray(body["pdu_ids"]);
    const authChainIds = stringArray(body["auth_chain_ids"]);
    if (pduIds === undefined || authChainIds === undefined) {
      return bad("state_ids response needs pdu_ids and auth_chain_ids arrays of strings");
    }
    return ok({ pduIds, authChainIds });
  }

  /** `GET /event/{eventId}`: exactly one PDU is required. */
  async getEvent(server: string, eventId: string): Promise<Result<EventResponse, FederationError>> {
    const res = await this.request("GET", server, `/_matrix/federation/v1/event/${escapePathSegment(eventId)}`);
    if (!res.ok) return res;
    const body = res.value;
    if (!isJsonObject(body)) return bad("event response is not an object");
    const pdus = objectArray(body["pdus"]);
    if (pdus?.length !== 1 || pdus[0] === undefined) return bad("event response must carry exactly one PDU");
    const origin = body["origin"];
    const ts = body["origin_server_ts"];
    return ok({
      origin: typeof origin === "string" ? origin : undefined,
      originServerTs: typeof ts === "number" ? ts : undefined,
      pdu: pdus[0],
    });
  }

  /** `PUT /send/{txnId}` with our origin and the current time; policyserv only ever sends EDUs (§8.3). */
  async sendTransaction(
    server: string,
    txnId: string,
    txn: { readonly pdus?: readonly JsonObject[]; readonly edus?: readonly JsonObject[] },
  ): Promise<Result<TransactionResponse, FederationError>> {
    const content: JsonObject = {
      origin: this.#deps.serverName,
      origin_server_ts: (this.#deps.now ?? Date.now)(),
      pdus: [...(txn.pdus ?? [])],
      edus: [...(txn.edus ?? [])],
    };
    const res = await this.request("PUT", server, `/_matrix/federation/v1/send/${escapePathSegment(txnId)}`, content);
    if (!res.ok) return res;
    const body = res.value;
    if (!isJsonObject(body)) return bad("send response is not an object");
    const pdus = body["pdus"];
    const results: Record<string, JsonObject> = {};
    if (isJsonObject(pdus)) {
      for (const [id, value] of Object.entries(pdus)) if (isJsonObject(value)) results[id] = value;
    }
    return ok({ pdus: results });
  }

  /** Signed `GET /version` (the "ping" of §8.9). */
  async getVersion(server: string): Promise<Result<{ name: string; version: string }, FederationError>> {
    const res = await this.request("GET", server, "/_matrix/federation/v1/version");
    if (!res.ok) return res;
    const inner = isJsonObject(res.value) ? res.value["server"] : undefined;
    if (!isJsonObject(inner)) return bad("version response has no server object");
    const name = inner["name"];
    const version = inner["version"];
    return ok({ name: typeof name === "string" ? name : "", version: typeof version === "string" ? version : "" });
  }

  /**
   * Unauthenticated `GET /_matrix/key/v2/server`. Only the shape is checked here; signatures and validity are
   * the keyring's job, because what counts as acceptable depends on the look-up.
   */
  async getServerKeys(server: string, options: RequestOptions = {}): Promise<Result<JsonObject, FederationError>> {
    const res = await this.request("GET", server, "/_matrix/key/v2/server", undefined, { maxBodyBytes: 64 * 1024, ...options, signed: false });
    if (!res.ok) return res;
    if (!isJsonObject(res.value)) return bad("server keys response is not an object");
    return ok(res.value);
  }

  /**
   * Unauthenticated `POST /_matrix/key/v2/query` to a notary for `server`'s keys, each wanted valid at least
   * until `minimumValidUntilTs`. An empty `keyIds` asks for all of the server's keys. Returns the raw
   * `server_keys` entries; the keyring verifies the notary's and the origin's signatures.
   */
  async queryKeysFromNotary(
    notary: string,
    server: string,
    keyIds: readonly string[],
    minimumValidUntilTs: number,
    options: RequestOptions = {},
  ): Promise<Result<JsonObject[], FederationError>> {
    const criteria: JsonObject = {};
    for (const keyId of keyIds) criteria[keyId] = { minimum_valid_until_ts: minimumValidUntilTs };
    const content: JsonObject = { server_keys: { [server]: criteria } };
    const res = await this.request("POST", notary, "/_matrix/key/v2/query", content, { maxBodyBytes: 1024 * 1024, ...options, signed: false });
    if (!res.ok) return res;
    const entries = isJsonObject(res.value) ? res.value["server_keys"] : undefined;
    if (!Array.isArray(entries)) return bad("key query response has no server_keys array");
    // Entries that are not objects are skipped as upstream does; the keyring rejects bad objects.
    return ok(entries.filter((e): e is JsonObject => isJsonObject(e)));
  }
}

function interpret(response: FetchResponse, method: string, destination: string, path: string): Result<JsonValue, FederationError> {
  if (response.status >= 200 && response.status < 300) {
    const parsed = parseStrictJson(response.body);
    if (!parsed.ok) return bad(`${method} ${destination}${path}: response is not acceptable JSON: ${parsed.error.message}`);
    return ok(parsed.value);
  }
  let errcode: string | undefined;
  let error: string | undefined;
  try {
    const body = JSON.parse(response.body.toString("utf8")) as unknown;
    if (typeof body === "object" && body !== null) {
      const b = body as Record<string, unknown>;
      if (typeof b["errcode"] === "string") errcode = b["errcode"];
      if (typeof b["error"] === "string") error = b["error"];
    }
  } catch {
    // A non-JSON error body is common (proxies); status alone then describes it.
  }
  return err({
    kind: "http",
    status: response.status,
    errcode,
    error,
    message: `${method} ${destination}${path}: HTTP ${response.status}${errcode !== undefined ? ` ${errcode}` : ""}${error !== undefined ? `: ${error}` : ""}`,
  });
}

function isUnknownEndpoint(error: FederationError): boolean {
  if (error.kind !== "http") return false;
  if (error.errcode === "M_UNRECOGNIZED") return true;
  return (error.status === 404 || error.status === 405) && error.errcode === undefined;
}

function parseSendJoin(body: JsonValue, apiVersion: "v1" | "v2"): Result<SendJoinResponse, FederationError> {
  if (!isJsonObject(body)) return bad(`send_join ${apiVersion} response is not an object`);
  const state = objectArray(body["state"]);
  const authChain = objectArray(body["auth_chain"]);
  if (state === undefined || authChain === undefined) {
    return bad(`send_join ${apiVersion} response needs state and auth_chain arrays of objects`);
  }
  const origin = body["origin"];
  const event = body["event"];
  return ok({
    origin: typeof origin === "string" ? origin : undefined,
    state,
    authChain,
    event: isJsonObject(event) ? event : undefined,
    apiVersion,
  });
}

function objectArray(value: JsonValue | undefined): JsonObject[] | undefined {
  if (!Array.isArray(value) || !value.every((v) => isJsonObject(v))) return undefined;
  return value as JsonObject[];
}

function stringArray(value: JsonValue | undefined): string[] | undefined {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return undefined;
  return value as string[];
}

function bad(message: string): Result<never, FederationError> {
  return err({ kind: "bad_response", message });
}
