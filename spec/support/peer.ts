/**
 * A homeserver peer for end-to-end tests: a fake homeserver that publishes its keys, builds properly hashed and
 * signed PDUs for any room version, and calls the policy server with X-Matrix signed requests.
 */
import {
  computeEventId,
  generateSigningKey,
  getRoomVersion,
  hashAndSignEvent,
  roomIdFromCreateEvent,
  signXMatrixHeader,
  type JsonObject,
  type JsonValue,
  type SigningKey,
} from "../../src/matrix/index.js";
import { FakeHomeserver } from "./fake-homeserver.js";

export interface PeerRoom {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly createEvent: JsonObject;
  readonly createEventId: string;
  depth: number;
  latest: string;
}

export class Peer {
  private constructor(
    readonly hs: FakeHomeserver,
    readonly key: SigningKey,
  ) {}

  static async start(serverName = "hs1.test"): Promise<Peer> {
    const key = generateSigningKey();
    const hs = await FakeHomeserver.start({ serverName, signingKey: key });
    hs.serveKeys();
    return new Peer(hs, key);
  }

  get serverName(): string {
    return this.hs.serverName;
  }

  /** The `PS_FEDERATION_HOST_OVERRIDES` entry that routes this peer's name to its loopback port. */
  get override(): string {
    return `${this.serverName}=${this.hs.url}`;
  }

  user(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  /** A room created by this peer (the create event is built and signed; for v12 it defines the room ID). */
  createRoom(roomVersion: string): PeerRoom {
    const version = unwrap(getRoomVersion(roomVersion));
    const creator = this.user("creator");
    const base: JsonObject = {
      type: "m.room.create",
      state_key: "",
      sender: creator,
      content: { room_version: roomVersion, ...(Number(roomVersion) < 11 ? { creator } : {}) },
      origin_server_ts: Date.now(),
      depth: 1,
      prev_events: [],
      auth_events: [],
    };
    const legacyRoomId = `!${Math.random().toString(36).slice(2)}:${this.serverName}`;
    if (!version.roomIdFromCreateEvent) base["room_id"] = legacyRoomId;
    const createEvent = hashAndSignEvent(base, version, this.serverName, this.key);
    const createEventId = unwrap(computeEventId(createEvent, version));
    const roomId = version.roomIdFromCreateEvent ? roomIdFromCreateEvent(createEvent, version) : legacyRoomId;
    return { roomId, roomVersion, createEvent, createEventId, depth: 1, latest: createEventId };
  }

  /** A signed PDU in `room`; `overrides` are applied before hashing and signing. */
  event(
    room: PeerRoom,
    fields: { type?: string; sender?: string; content: JsonObject; stateKey?: string },
    overrides: JsonObject = {},
  ): JsonObject {
    const version = unwrap(getRoomVersion(room.roomVersion));
    room.depth += 1;
    const pdu: JsonObject = {
      type: fields.type ?? "m.room.message",
      room_id: room.roomId,
      sender: fields.sender ?? this.user("alice"),
      content: fields.content,
      origin_server_ts: Date.now(),
      depth: room.depth,
      prev_events: [room.latest],
      auth_events: version.roomIdFromCreateEvent ? [] : [room.createEventId],
      ...(fields.stateKey === undefined ? {} : { state_key: fields.stateKey }),
      ...overrides,
    };
    return hashAndSignEvent(pdu, version, this.serverName, this.key);
  }

  /** The event ID a PDU has in its room's version. */
  eventId(room: PeerRoom, pdu: JsonObject): string {
    return unwrap(computeEventId(pdu, unwrap(getRoomVersion(room.roomVersion))));
  }

  /** An X-Matrix signed request to `baseUrl` (the policy server), as a homeserver would send it. */
  async call(
    baseUrl: string,
    method: string,
    path: string,
    body: JsonValue | undefined,
    options: { destination?: string; key?: SigningKey; rawBody?: string } = {},
  ): Promise<Response> {
    const authorization = signXMatrixHeader({
      method,
      uri: path,
      origin: this.serverName,
      destination: options.destination ?? "policy.test",
      content: body,
      key: options.key ?? this.key,
    });
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization, "content-type": "application/json" },
      ...(options.rawBody !== undefined
        ? { body: options.rawBody }
        : body === undefined
          ? {}
          : { body: JSON.stringify(body) }),
    });
  }

  close(): Promise<void> {
    return this.hs.close();
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`unexpected failure: ${JSON.stringify(result.error)}`);
  return result.value;
}
