/**
 * A fake Client-Server API for moderator tokens: `whoami` per token and `PUT .../redact/...` recorded per event, so
 * tests can assert what was redacted, with which token and how often.
 */
import { FakeHomeserver } from "./fake-homeserver.js";
import { modal, type FakeMode } from "./fake-service-modes.js";

export interface RecordedRedaction {
  readonly roomId: string;
  readonly eventId: string;
  readonly txnId: string;
  readonly token: string;
  readonly reason: unknown;
}

export class FakeClientServer {
  readonly redactions: RecordedRedaction[] = [];
  /** Mode of the redact endpoint; `whoamiMode` of whoami. */
  mode: FakeMode = "ok";
  whoamiMode: FakeMode = "ok";
  /** Modes consumed one per redact request before falling back to `mode` (e.g. ["429", "500"] then ok). */
  readonly script: FakeMode[] = [];

  private constructor(
    readonly server: FakeHomeserver,
    readonly users: ReadonlyMap<string, string>,
  ) {}

  /** `users` maps access token → user ID; any other token gets 401 M_UNKNOWN_TOKEN. */
  static async start(users: Readonly<Record<string, string>>): Promise<FakeClientServer> {
    const server = await FakeHomeserver.start();
    const fake = new FakeClientServer(server, new Map(Object.entries(users)));
    const tokenOf = (auth: string | undefined): string => (auth ?? "").replace(/^Bearer /, "");
    server.route(
      "GET",
      "/_matrix/client/v3/account/whoami",
      modal(
        () => fake.whoamiMode,
        (req) => {
          const user = fake.users.get(tokenOf(req.headers.authorization));
          return user === undefined
            ? { status: 401, body: { errcode: "M_UNKNOWN_TOKEN", error: "Unknown token" } }
            : { body: { user_id: user, device_id: "DEV" } };
        },
      ),
    );
    server.route(
      "PUT",
      "/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId",
      modal(
        () => fake.script.shift() ?? fake.mode,
        (req, params) => {
          fake.redactions.push({
            roomId: params["roomId"] ?? "",
            eventId: params["eventId"] ?? "",
            txnId: params["txnId"] ?? "",
            token: tokenOf(req.headers.authorization),
            reason: (req.json as Record<string, unknown> | undefined)?.["reason"],
          });
          return { body: { event_id: `$redaction-${fake.redactions.length}` } };
        },
      ),
    );
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  /** Redaction attempts that reached the endpoint, successful or not. */
  attempts(): number {
    return this.server.requestsTo("PUT", "/_matrix/client/v3/rooms/").length;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
