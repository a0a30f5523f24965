/**
 * Signed room events for the rooms tests: state and timeline events of any room version, signed by a test
 * server key, plus a key lookup that knows the test servers.
 */
import {
  getRoomVersion,
  hashAndSignEvent,
  roomIdFromCreateEvent,
  verifyKeyOf,
  type JsonObject,
  type KeyLookup,
  type SigningKey,
} from "../../src/matrix/index.js";

let counter = 0;

export interface EventFields {
  readonly type: string;
  readonly sender: string;
  readonly state_key?: string;
  readonly content: JsonObject;
}

/** A test room of a given version on `server`; v12 rooms get their ID from their create event. */
export class TestRoom {
  readonly version: string;
  readonly server: string;
  readonly key: SigningKey;
  readonly roomId: string;
  readonly createEvent: JsonObject;

  constructor(version: string, server: string, key: SigningKey, creator = `@creator:${server}`, createExtra: JsonObject = {}) {
    this.version = version;
    this.server = server;
    this.key = key;
    const content: JsonObject = { room_version: version, ...createExtra };
    if (Number(version) < 11) content["creator"] = creator;
    if (Number(version) >= 12) {
      this.createEvent = signEvent(version, { type: "m.room.create", sender: creator, state_key: "", content }, undefined, server, key);
      this.roomId = roomIdFromCreateEvent(this.createEvent, rv(version));
    } else {
      this.roomId = `!room${counter++}:${server}`;
      this.createEvent = signEvent(version, { type: "m.room.create", sender: creator, state_key: "", content }, this.roomId, server, key);
    }
  }

  /** An event in this room, signed by `signer` (default: the room's server and key). */
  event(fields: EventFields, signer: { server: string; key: SigningKey } = { server: this.server, key: this.key }): JsonObject {
    return signEvent(this.version, fields, this.roomId, signer.server, signer.key);
  }

  member(userId: string, displayname?: string, membership = "join"): JsonObject {
    const content: JsonObject = { membership };
    if (displayname !== undefined) content["displayname"] = displayname;
    return this.event({ type: "m.room.member", sender: userId, state_key: userId, content });
  }
}

function rv(version: string) {
  const found = getRoomVersion(version);
  if (!found.ok) throw new Error(found.error);
  return found.value;
}

/** Builds and signs one event; `roomId` undefined makes a v12 create event. */
export function signEvent(version: string, fields: EventFields, roomId: string | undefined, server: string, key: SigningKey): JsonObject {
  const base: JsonObject = {
    type: fields.type,
    sender: fields.sender,
    content: fields.content,
    auth_events: [],
    prev_events: [],
    depth: 1,
    origin_server_ts: 1_700_000_000_000 + counter++,
  };
  if (fields.state_key !== undefined) base["state_key"] = fields.state_key;
  if (roomId !== undefined) base["room_id"] = roomId;
  if (Number(version) <= 2) base["event_id"] = `$ev${counter++}:${server}`;
  return hashAndSignEvent(base, rv(version), server, key);
}

/** A key lookup that knows exactly these servers' keys. */
export function keysOf(servers: Readonly<Record<string, SigningKey>>): KeyLookup {
  return (server, keyId) => {
    const key = Object.hasOwn(servers, server) ? servers[server] : undefined;
    return Promise.resolve(key !== undefined && key.keyId === keyId ? verifyKeyOf(key) : undefined);
  };
}
