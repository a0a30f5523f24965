import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { formatKeyFile, parseKeyFile, readKeyFile, writeKeyFile } from "../../../src/keys/key-file.js";

// RFC 8032 §7.1 test 1: an independent oracle for the seed.
const RFC_SEED = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
const fixture = (name: string) => new URL(`../../fixtures/keys/${name}`, import.meta.url).pathname;

async function readOk(name: string) {
  const result = await readKeyFile(fixture(name));
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

async function readErr(name: string) {
  const result = await readKeyFile(fixture(name));
  if (result.ok) assert.fail("expected an error");
  return result.error;
}

describe("readKeyFile: the three formats", () => {
  it("reads the Synapse format", async () => {
    const [key, ...rest] = await readOk("synapse.key");
    assert.equal(rest.length, 0);
    assert.equal(key?.keyId, "ed25519:a_rfc1");
    assert.deepEqual(Buffer.from(key?.seed ?? []), RFC_SEED);
  });

  it("reads the Synapse format with CRLF line ends", async () => {
    const [key] = await readOk("synapse-crlf.key");
    assert.equal(key?.keyId, "ed25519:a_rfc1");
  });

  it("reads Dendrite's MATRIX PRIVATE KEY PEM", async () => {
    const [key] = await readOk("dendrite.key");
    assert.equal(key?.keyId, "ed25519:dendrite1");
    assert.deepEqual(Buffer.from(key?.seed ?? []), RFC_SEED);
  });

  it("reads upstream's MMR PRIVATE KEY PEM", async () => {
    const [key] = await readOk("mmr.key");
    assert.equal(key?.keyId, "ed25519:mmr1");
    assert.deepEqual(Buffer.from(key?.seed ?? []), RFC_SEED);
  });
});

describe("readKeyFile: errors", () => {
  it("a missing file tells the operator to run gen_signing_keys", async () => {
    const error = await readErr("does-not-exist.key");
    assert.equal(error.kind, "missing");
    assert.match(error.message, /does-not-exist\.key does not exist: run gen_signing_keys to create it$/);
  });

  it("an unreadable path (a directory) is reported as unreadable", async () => {
    const result = await readKeyFile(new URL("../../fixtures/keys/", import.meta.url).pathname);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.kind, "unreadable");
  });

  const malformed: [string, RegExp][] = [
    ["empty.key", /contains no key$/],
    ["synapse-bad-second-line.key", /at line 2: key version "bad-version!" may only contain A-Z, a-z, 0-9 and _$/],
    ["synapse-short-seed.key", /at line 1: the key is 3 bytes; an ed25519 seed is 32$/],
    ["dendrite-no-end.key", /at line 1: -----BEGIN MATRIX PRIVATE KEY----- has no matching END line$/],
    ["dendrite-no-key-id.key", /at line 1: the MATRIX PRIVATE KEY block has no Key-ID header$/],
    ["mmr-bad-version.key", /at line 1: the MMR PRIVATE KEY block needs a "Version: 1" header, found "2"$/],
  ];
  for (const [name, pattern] of malformed) {
    it(`${name} is malformed with a line number`, async () => {
      const error = await readErr(name);
      assert.equal(error.kind, "malformed");
      assert.match(error.message, pattern);
      assert.ok(error.message.includes(name), error.message);
    });
  }

  it("refuses other PEM types and other algorithms", () => {
    const pem = parseKeyFile("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "k");
    assert.equal(pem.ok, false);
    if (!pem.ok) assert.match(pem.error.message, /unsupported PEM block "PRIVATE KEY"/);
    const rsa = parseKeyFile("rsa a_1 AAAA\n", "k");
    assert.equal(rsa.ok, false);
    if (!rsa.ok) assert.match(rsa.error.message, /line 1: unsupported algorithm "rsa"/);
  });

  it("reports bad base64 in a PEM body", () => {
    const result = parseKeyFile(
      "-----BEGIN MMR PRIVATE KEY-----\nKey-ID: ed25519:a\nVersion: 1\n\n!!!!\n-----END MMR PRIVATE KEY-----\n",
      "k",
    );
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error.message, /line 5: the key body is not base64/);
  });
});

describe("formatKeyFile / writeKeyFile", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ps-keyfile-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes upstream's MMR layout byte for byte", () => {
    assert.equal(
      formatKeyFile({ keyId: "ed25519:e5d0oC", seed: RFC_SEED }),
      "-----BEGIN MMR PRIVATE KEY-----\nKey-ID: ed25519:e5d0oC\nVersion: 1\n\nnWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n-----END MMR PRIVATE KEY-----\n",
    );
  });

  it("refuses a bad key ID or seed length (caller bugs)", () => {
    assert.throws(() => formatKeyFile({ keyId: "ed25519:a b", seed: RFC_SEED }), RangeError);
    assert.throws(() => formatKeyFile({ keyId: "ed25519:a", seed: new Uint8Array(31) }), RangeError);
  });

  it("round-trips through readKeyFile, with mode 0600, creating parent directories", async () => {
    const path = join(dir, "nested", "signing.key");
    const written = await writeKeyFile(path, { keyId: "ed25519:rt", seed: RFC_SEED }, { overwrite: false });
    assert.deepEqual(written, { ok: true, value: undefined });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const read = await readKeyFile(path);
    assert.ok(read.ok);
    if (read.ok) assert.deepEqual(read.value, [{ keyId: "ed25519:rt", seed: new Uint8Array(RFC_SEED) }]);
  });

  it("refuses to overwrite without the flag and leaves the file untouched", async () => {
    const path = join(dir, "existing.key");
    await writeFile(path, "keep me");
    const result = await writeKeyFile(path, { keyId: "ed25519:x", seed: RFC_SEED }, { overwrite: false });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.kind, "exists");
      assert.match(result.error.message, /already exists: not replacing it \(use --overwrite to replace it\)$/);
    }
    assert.equal(await readFile(path, "utf8"), "keep me");
  });

  it("overwrites with the flag, leaving no temporary file behind", async () => {
    const path = join(dir, "replace.key");
    await writeFile(path, "old", { mode: 0o644 });
    const result = await writeKeyFile(path, { keyId: "ed25519:new", seed: RFC_SEED }, { overwrite: true });
    assert.ok(result.ok);
    assert.match(await readFile(path, "utf8"), /Key-ID: ed25519:new/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const { readdir } = await import("node:fs/promises");
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes(".tmp")),
      [],
    );
  });

  it("reports a write failure clearly", async () => {
    const path = join(dir, "existing-file-as-dir");
    await writeFile(path, "x");
    const result = await writeKeyFile(
      join(path, "signing.key"),
      { keyId: "ed25519:x", seed: RFC_SEED },
      { overwrite: false },
    );
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.kind, "write-failed");
      assert.match(result.error.message, /^cannot write signing key file .*signing\.key: /);
    }
  });
});
