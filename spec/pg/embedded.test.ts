import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../src/storage/database.js";
import { startEmbeddedDatabase } from "../../src/storage/embedded.js";
import { seedPgliteDataDir, silentLogger } from "../support/database.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it("the embedded database keeps its data across a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ps-embedded-"));
  await seedPgliteDataDir(dataDir);
  try {
    const first = await startEmbeddedDatabase({ dataDir, logger: silentLogger });
    assert.ok(first.ok, first.ok ? "" : first.error);
    assert.match(first.value.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const db = openDatabase({ url: first.value.url, embedded: true, logger: silentLogger });
    await db.sql`CREATE TABLE kept (v TEXT)`;
    await db.sql`INSERT INTO kept VALUES ('survives')`;
    await db.close();
    await first.value.stop();
    assert.equal(alive(first.value.pid), false, "child exited on stop");

    const second = await startEmbeddedDatabase({ dataDir, logger: silentLogger });
    assert.ok(second.ok, second.ok ? "" : second.error);
    const rival = await startEmbeddedDatabase({ dataDir, logger: silentLogger });
    assert.ok(!rival.ok, "a second process may not open the same folder");
    assert.match(rival.error, new RegExp(`data folder is in use by process ${second.value.pid}`));
    const again = openDatabase({ url: second.value.url, embedded: true, logger: silentLogger });
    try {
      const rows = await again.sql`SELECT v FROM kept`;
      assert.deepEqual(rows.map((r) => r["v"]), ["survives"]);
    } finally {
      await again.close();
      await second.value.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("the embedded database process exits when its parent dies", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ps-embedded-"));
  await seedPgliteDataDir(dataDir);
  try {
    const script = fileURLToPath(new URL("../support/embedded-parent.ts", import.meta.url));
    const parent = spawn(process.execPath, ["--import", "tsx", script, dataDir], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    parent.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => parent.on("exit", (code) => resolve(code)));
    assert.equal(exitCode, 0, `parent output: ${output}`);
    const childPid = Number(/child=(\d+)/.exec(output)?.[1]);
    assert.ok(childPid > 0, `parent printed the child pid: ${output}`);
    for (let i = 0; i < 100 && alive(childPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(childPid), false, "the child followed its parent");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("reports a bad data folder as an error naming it, not a crash", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ps-embedded-"));
  try {
    const file = join(dir, "not-a-directory");
    writeFileSync(file, "");
    const result = await startEmbeddedDatabase({ dataDir: file, logger: silentLogger, startTimeoutMs: 30_000 });
    assert.ok(!result.ok);
    assert.ok(result.error.includes(join(file, "pglite")), result.error);
    assert.match(result.error, /embedded database failed to start .*ENOTDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
