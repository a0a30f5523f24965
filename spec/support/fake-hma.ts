/**
 * A fake HMA instance: `POST /h/hash` (multipart, field photo or video) answers a fake PDQ/MD5 derived from the
 * bytes, and `GET /m/lookup` answers the banks configured for a hash, keyed by bank name as HMA does.
 */
import { createHash } from "node:crypto";
import { FakeHomeserver } from "./fake-homeserver.js";
import { modal, type FakeMode } from "./fake-service-modes.js";

/** The hash the fake gives a file: sha256 of the multipart file bytes. */
export function fakeHashOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class FakeHma {
  hashMode: FakeMode = "ok";
  lookupMode: FakeMode = "ok";
  /** hash → bank names holding it. */
  readonly banks = new Map<string, readonly string[]>();
  /** The multipart field name of each hash request (photo or video). */
  readonly fields: string[] = [];

  private constructor(readonly server: FakeHomeserver) {}

  static async start(): Promise<FakeHma> {
    const server = await FakeHomeserver.start();
    const fake = new FakeHma(server);
    server.route(
      "POST",
      "/h/hash",
      modal(
        () => fake.hashMode,
        (req) => {
          if (req.headers.authorization !== "Bearer hma-key") return { status: 403, body: { error: "bad key" } };
          const boundary = /boundary=(.+)$/.exec(req.headers["content-type"] ?? "")?.[1];
          if (boundary === undefined) return { status: 400, body: { error: "not multipart" } };
          const text = req.body.toString("latin1");
          const field = /name="([^"]+)"; filename="x"/.exec(text)?.[1] ?? "";
          fake.fields.push(field);
          const start = text.indexOf("\r\n\r\n") + 4;
          const end = text.lastIndexOf(`\r\n--${boundary}--`);
          const bytes = req.body.subarray(start, end);
          return { body: field === "video" ? { md5: fakeHashOf(bytes) } : { pdq: fakeHashOf(bytes) } };
        },
      ),
    );
    server.route(
      "GET",
      "/m/lookup",
      modal(
        () => fake.lookupMode,
        (req) => {
          const banks = fake.banks.get(req.query.get("signal") ?? "") ?? [];
          return { body: Object.fromEntries(banks.map((bank) => [bank, [{ bank_content_id: 1, distance: 0 }]])) };
        },
      ),
    );
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  hashRequests(): number {
    return this.server.requestsTo("POST", "/h/hash").length;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
