/**
 * A resident homeserver for join tests, on top of FakeHomeserver: serves make_join and send_join (v2, or only v1
 * to exercise the fallback) for one TestRoom, and records the join events it receives.
 */
import { pino } from "pino";
import {
  FederationClient,
  createDiscovery,
  createSafeFetch,
  defaultNetworkPolicy,
  staticResolver,
} from "../../src/federation/index.js";
import type { JsonObject, SigningKey } from "../../src/matrix/index.js";
import type { FakeHomeserver } from "./fake-homeserver.js";
import type { TestRoom } from "./room-events.js";

export interface ResidentOptions {
  /** Only answer send_join v1 (v2 gets a bare 404, as an old server would). */
  readonly v1Only?: boolean;
  /** Leave `room_version` out of the make_join answer. */
  readonly omitRoomVersion?: boolean;
  /** Extra state events to return (possibly badly signed). */
  readonly extraState?: () => JsonObject[];
  /** Override the state returned (default: create + given state). */
  readonly state?: () => JsonObject[];
  readonly authChain?: () => JsonObject[];
}

/** Serves joins of `room` on `fake`; `joins` collects the join events sent to it. */
export function serveRoom(fake: FakeHomeserver, room: TestRoom, state: JsonObject[], options: ResidentOptions = {}) {
  const joins: JsonObject[] = [];
  const authRefs = Number(room.version) <= 2 ? [["$create:" + room.server, { sha256: "aGFzaA" }]] : ["$someauthevent"];
  fake.route("GET", "/_matrix/federation/v1/make_join/:room/:user", (req, params) => {
    if (params["room"] !== room.roomId) return { status: 404, body: { errcode: "M_NOT_FOUND", error: "Unknown room" } };
    const offered = req.query.getAll("ver");
    if (!offered.includes(room.version)) return { status: 400, body: { errcode: "M_INCOMPATIBLE_ROOM_VERSION", error: "no" } };
    const event: JsonObject = {
      type: "m.room.member",
      room_id: room.roomId,
      sender: params["user"] ?? "",
      state_key: params["user"] ?? "",
      content: { membership: "join" },
      prev_events: authRefs,
      auth_events: authRefs,
      depth: 5,
      origin: room.server,
      origin_server_ts: 1,
    };
    return { body: options.omitRoomVersion === true ? { event } : { event, room_version: room.version } };
  });
  const answer = () => ({
    origin: room.server,
    state: options.state?.() ?? [room.createEvent, ...state, ...(options.extraState?.() ?? [])],
    auth_chain: options.authChain?.() ?? [room.createEvent],
  });
  fake.route("PUT", "/_matrix/federation/v2/send_join/:room/:event", (req) => {
    if (options.v1Only === true) return { status: 404, body: "Not found" };
    joins.push(req.json as JsonObject);
    return { body: answer() };
  });
  fake.route("PUT", "/_matrix/federation/v1/send_join/:room/:event", (req) => {
    joins.push(req.json as JsonObject);
    return { body: [200, answer()] };
  });
  fake.route("GET", "/_matrix/federation/v1/version", () => ({ body: { server: { name: "fake", version: "1" } } }));
  return { joins };
}

/** A FederationClient for `ourName` that reaches each named fake through host overrides. */
export function clientFor(ourName: string, key: SigningKey, fakes: Readonly<Record<string, FakeHomeserver>>): FederationClient {
  const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: staticResolver({}) });
  const overrides = new Map(Object.entries(fakes).map(([name, fake]) => [name, fake.url]));
  const discovery = createDiscovery({ fetch, resolver: staticResolver({}), overrides });
  return new FederationClient({ serverName: ourName, signingKey: key, discovery, fetch, timeoutMs: 5_000 });
}

export const silent = pino({ level: "silent" });
