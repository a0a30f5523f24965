/**
 * A fake webhook receiver over HTTPS (the sender refuses plain HTTP), using the test certificate for `hs.test`, so
 * tests reach it as `https://hs.test:<port>/hook` through a static resolver and the test CA.
 */
import type { ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { TEST_CERT, TEST_KEY } from "../unit/federation/tls-fixture.js";
import type { FakeMode } from "./fake-service-modes.js";
import { OVERSIZED_BYTES } from "./fake-service-modes.js";

export interface ReceivedHook {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly raw: string;
  readonly json: unknown;
}

export class FakeWebhookReceiver {
  readonly received: ReceivedHook[] = [];
  mode: FakeMode = "ok";
  /** Modes consumed one per request before `mode` applies. */
  readonly script: FakeMode[] = [];
  /** Requests seen, whatever the answer. */
  attempts = 0;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(readonly server: https.Server) {}

  static async start(): Promise<FakeWebhookReceiver> {
    const server = https.createServer({ cert: TEST_CERT, key: TEST_KEY });
    const fake = new FakeWebhookReceiver(server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        fake.attempts++;
        const mode = fake.script.shift() ?? fake.mode;
        const raw = Buffer.concat(chunks).toString("utf8");
        switch (mode) {
          case "slow":
            fake.#hanging.add(res);
            return;
          case "429":
            res.writeHead(429, { "Retry-After": "0" }).end();
            return;
          case "500":
            res.writeHead(500).end("oops");
            return;
          case "oversized":
            res.writeHead(200).end("x".repeat(OVERSIZED_BYTES));
            return;
          default: {
            let json: unknown;
            try {
              json = JSON.parse(raw);
            } catch {
              json = undefined;
            }
            fake.received.push({ headers: req.headers, raw, json });
            res.writeHead(200, { "content-type": "application/json" }).end(mode === "malformed" ? "not json" : "{}");
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The host entry to allow in PS_ALLOWED_WEBHOOK_DOMAINS. */
  get host(): string {
    return `hs.test:${this.port}`;
  }

  get url(): string {
    return `https://${this.host}/hook`;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
