// gen_signing_keys end to end: the real bin file run through tsx in a temporary directory.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as ed from "@noble/ed25519";
import { readKeyFile } from "../../../src/keys/key-file.js";

const CLI = fileURLToPath(new URL("../../../src/cli/gen-signing-keys.ts", import.meta.url));
const TSX = fileURLToPath(import.meta.resolve("tsx"));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const cleanEnv: Record<string, string> = { PATH: process.env["PATH"] ?? "", ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", TSX, CLI, ...args], { cwd, env: cleanEnv }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function publicKeyOf(path: string): Promise<{ keyId: string; publicKey: string }> {
  const read = await readKeyFile(path);
  if (!read.ok) assert.fail(read.error.message);
  const [key] = read.value;
  if (key === undefined) assert.fail("no key");
  const publicKey = Buffer.from(await ed.getPublicKeyAsync(key.seed))
    .toString("base64")
    .replace(/=+$/, "");
  return { keyId: key.keyId, publicKey };
}

describe("gen_signing_keys", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ps-gen-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes both default files (0600, upstream layout) and prints IDs and public keys", async () => {
    const cwd = await mkdtemp(join(dir, "defaults-"));
    const result = await run(cwd, []);
    assert.equal(result.code, 0, result.stderr);
    const server = await publicKeyOf(join(cwd, "signing.key"));
    const event = await publicKeyOf(join(cwd, "event_signing.key"));
    assert.notEqual(server.publicKey, event.publicKey);
    assert.deepEqual(result.stdout.trim().split("\n"), [
      `wrote server key ./signing.key: key ID ${server.keyId}, public key ${server.publicKey}`,
      `wrote event key ./event_signing.key: key ID ${event.keyId} (published as ed25519:policy_server), public key ${event.publicKey}`,
    ]);
    assert.equal((await stat(join(cwd, "signing.key"))).mode & 0o777, 0o600);
    assert.match(
      await readFile(join(cwd, "signing.key"), "utf8"),
      /^-----BEGIN MMR PRIVATE KEY-----\nKey-ID: ed25519:\w+\nVersion: 1\n\n[A-Za-z0-9+/]{43}=\n-----END MMR PRIVATE KEY-----\n$/,
    );
  });

  it("never overwrites without --overwrite, and says so; exit 0 because both keys exist", async () => {
    const cwd = await mkdtemp(join(dir, "keep-"));
    assert.equal((await run(cwd, [])).code, 0);
    const before = await readFile(join(cwd, "signing.key"), "utf8");
    const server = await publicKeyOf(join(cwd, "signing.key"));
    const again = await run(cwd, []);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await readFile(join(cwd, "signing.key"), "utf8"), before);
    assert.match(
      again.stdout,
      new RegExp(
        `kept server key ./signing.key: already exists, not making a new key for it \\(use --overwrite to replace it\\); key ID ${server.keyId}, public key ${server.publicKey.replaceAll("+", "\\+")}`,
      ),
    );
  });

  it("--overwrite (and upstream's -overwrite) replaces the keys", async () => {
    const cwd = await mkdtemp(join(dir, "overwrite-"));
    await run(cwd, []);
    const first = await publicKeyOf(join(cwd, "signing.key"));
    for (const flag of ["--overwrite", "-overwrite"]) {
      const result = await run(cwd, [flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.notEqual((await publicKeyOf(join(cwd, "signing.key"))).publicKey, first.publicKey);
    }
  });

  it("takes paths from the environment, with flags taking precedence", async () => {
    const cwd = await mkdtemp(join(dir, "paths-"));
    const result = await run(cwd, ["--event-key", "flag-event.key"], {
      PS_HOMESERVER_SIGNING_KEY_PATH: "env/server.key",
      PS_HOMESERVER_EVENT_SIGNING_KEY_PATH: "env/event.key",
    });
    assert.equal(result.code, 0, result.stderr);
    await publicKeyOf(join(cwd, "env", "server.key"));
    await publicKeyOf(join(cwd, "flag-event.key"));
    await assert.rejects(stat(join(cwd, "env", "event.key")));
  });

  it("one path for both roles writes one key", async () => {
    const cwd = await mkdtemp(join(dir, "same-"));
    const result = await run(cwd, [], { PS_HOMESERVER_EVENT_SIGNING_KEY_PATH: "./signing.key" });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? "", /^kept event key \.\/signing\.key: is the same file as the server key; /);
  });

  it("exit 1 when an existing key file is malformed", async () => {
    const cwd = await mkdtemp(join(dir, "bad-"));
    await writeFile(join(cwd, "signing.key"), "garbage\n");
    const result = await run(cwd, []);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /failed server key \.\/signing\.key: signing key file \.\/signing\.key is malformed at line 1/,
    );
    await publicKeyOf(join(cwd, "event_signing.key"));
  });

  it("exit 2 on a bad flag or a bad path variable", async () => {
    const cwd = await mkdtemp(join(dir, "usage-"));
    const bad = await run(cwd, ["--bogus"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--bogus'/);
    assert.match(bad.stderr, /^usage: gen_signing_keys/m);
    const empty = await run(cwd, [], { PS_HOMESERVER_SIGNING_KEY_PATH: "" });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /gen_signing_keys: PS_HOMESERVER_SIGNING_KEY_PATH: must not be empty/);
  });

  it("--help prints usage and exits 0", async () => {
    const result = await run(dir, ["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^usage: gen_signing_keys \[--overwrite\]/);
  });
});
