/**
 * What the Docker image runs: the compiled output (`npm run build`), production mode on real PostgreSQL with keys
 * made by the compiled `gen_signing_keys`. `.ci/run` builds before testing; without `dist/` the test says so.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, postgresAvailable } from "../support/database.js";
import { startServer } from "../support/server-process.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const built = existsSync(join(ROOT, "dist", "src", "main.js"));
const skip = !built ? "no dist/ (run npm run build)" : !(await postgresAvailable()) ? "needs a real PostgreSQL" : false;

describe("the compiled build", { skip }, () => {
  it("should refuse to start in production mode without keys, then run with keys from gen_signing_keys", async () => {
    const workdir = mkdtempSync(join(tmpdir(), "policyserv-dist-"));
    const database = await createTestDatabase({ backend: "postgres" });
    try {
      const env = { PS_DATABASE: database.url, PS_HOMESERVER_NAME: "dist.test" };
      await assert.rejects(startServer({ cwd: workdir, env, compiled: true }), /gen_signing_keys/);

      const output = execFileSync(process.execPath, [join(ROOT, "dist", "src", "cli", "gen-signing-keys.js")], {
        cwd: workdir,
        encoding: "utf8",
      });
      assert.match(output, /signing\.key/);
      assert.ok(existsSync(join(workdir, "signing.key")) && existsSync(join(workdir, "event_signing.key")));

      const server = await startServer({ cwd: workdir, env, compiled: true });
      try {
        const ready = await fetch(`${server.opsUrl}/ready`);
        assert.equal(ready.status, 200);
        const keys = (await (await fetch(`${server.url}/_matrix/key/v2/server`)).json()) as { server_name: string };
        assert.equal(keys.server_name, "dist.test");
      } finally {
        assert.equal(await server.stop(), 0);
      }
    } finally {
      await database.drop();
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});
