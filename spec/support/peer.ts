/**
 * A homeserver peer for end-to-end tests: a fake homeserver that publishes its keys, builds properly hashed and
 * signed PDUs for any room version, and calls the policy server with X-Matrix signed requests.
 */
import {
  computeEventId,
  generateSigningKey,
  getRoomVersion,
  signXMatrixHeader,
  type JsonObject,
  type JsonValue,
  type SigningKey,
} from "../../src/matrix/index.js";
import { FakeHomeserver } from "./fake-homeserver.js";
import { TestRoom } from "./room-events.js";

/** Rooms a peer creates are the shared TestRoom builder's rooms. */
export type PeerRoom = TestRoom;

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

  /**
   * The environment of a policy server whose federation, key look-ups and joins go to this peer on loopback:
   * host override, direct key fetching with this peer as the pinned notary, joins through it, no trusted origins.
   */
  serverEnv(
    databaseUrl: string,
    options: { readonly serverName: string; readonly apiKey: string },
  ): Record<string, string> {
    return {
      PS_DATABASE: databaseUrl,
      PS_HOMESERVER_NAME: options.serverName,
      PS_FEDERATION_HOST_OVERRIDES: this.override,
      PS_DIRECT_KEY_FETCHING: "true",
      PS_KEY_QUERY_SERVER: `${this.serverName},${this.key.keyId},${this.key.publicKeyBase64}`,
      PS_TRUSTED_ORIGINS: "",
      PS_JOIN_SERVER: this.serverName,
      PS_API_KEY: options.apiKey,
    };
  }

  user(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  /** A room created by this peer (the create event is built and signed; for v12 it defines the room ID). */
  createRoom(roomVersion: string): PeerRoom {
    return new TestRoom(roomVersion, this.serverName, this.key);
  }

  /** A signed PDU in `room`, from `sender` (default `@alice`). */
  event(
    room: PeerRoom,
    fields: { type?: string; sender?: string; content: JsonObject; stateKey?: string },
  ): JsonObject {
    return room.event(
      {
        type: fields.type ?? "m.room.message",
        sender: fields.sender ?? this.user("alice"),
        content: fields.content,
        ...(fields.stateKey === undefined ? {} : { state_key: fields.stateKey }),
      },
      { server: this.serverName, key: this.key },
    );
  }

  /** The event ID a PDU has in its room's version. */
  eventId(room: PeerRoom, pdu: JsonObject): string {
    return unwrap(computeEventId(pdu, unwrap(getRoomVersion(room.version))));
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
