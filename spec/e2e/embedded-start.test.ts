/**
 * The newcomer's path: no PS_DATABASE, no keys. The server starts on the embedded PostgreSQL, generates its keys,
 * serves a self-signed key response that verifies with the key it publishes, and stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { verifyJsonSignature, verifyKeyFromBase64, type JsonObject } from "../../src/matrix/index.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

describe("first start on the embedded database", () => {
  let workdir: string;
  let server: ServerProcess;

  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), "policyserv-embedded-"));
    server = await startServer({ cwd: workdir, env: { PS_HOMESERVER_NAME: "newcomer.test" }, timeoutMs: 90_000 });
  });

  after(async () => {
    if (server !== undefined && server.child.exitCode === null) await server.kill();
    rmSync(workdir, { recursive: true, force: true });
  });

  it("should say in its first log lines that it runs on the embedded database", () => {
    const early = server.logs.slice(0, 4).join("\n");
    assert.match(early, /embedded PostgreSQL/);
  });

  it("should generate both key files and log where", () => {
    assert.ok(existsSync(join(workdir, "signing.key")));
    assert.ok(existsSync(join(workdir, "event_signing.key")));
    assert.match(server.logs.join("\n"), /generated a new server signing key/);
  });

  it("should serve server keys whose self-signature verifies with the key they publish", async () => {
    const res = await fetch(`${server.url}/_matrix/key/v2/server`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as JsonObject & {
      verify_keys: Record<string, { key: string }>;
      valid_until_ts: number;
    };
    assert.equal(body["server_name"], "newcomer.test");
    const [keyId, entry] = Object.entries(body.verify_keys)[0] as [string, { key: string }];
    const key = verifyKeyFromBase64(entry.key);
    assert.ok(key.ok);
    assert.equal(verifyJsonSignature(body, "newcomer.test", keyId, key.value), true);
    assert.ok(body.valid_until_ts > Date.now());
    const tampered = { ...body, valid_until_ts: body.valid_until_ts + 1 };
    assert.equal(verifyJsonSignature(tampered, "newcomer.test", keyId, key.value), false);
  });

  it("should be ready, and stop with exit code 0 on SIGTERM", async () => {
    const ready = await fetch(`${server.opsUrl}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(await server.stop(), 0);
  });
});
