import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readKeyFile } from "../../../src/keys/key-file.js";
import { loadOrCreateKeys, POLICY_SERVER_KEY_ID } from "../../../src/keys/load-or-create.js";

// RFC 8032 §7.1 test 1 public key, the oracle for the fixture seed.
const RFC_PUBLIC = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const fixture = (name: string) => new URL(`../../fixtures/keys/${name}`, import.meta.url).pathname;

function recorder() {
  const lines: string[] = [];
  return { lines, logger: { info: (message: string) => lines.push(message) } };
}

describe("loadOrCreateKeys", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ps-keys-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads both keys; the event key is published as ed25519:policy_server", async () => {
    const { logger, lines } = recorder();
    const result = await loadOrCreateKeys(
      { signingKeyPath: fixture("synapse.key"), eventSigningKeyPath: fixture("mmr.key") },
      { generateMissing: false, logger },
    );
    if (!result.ok) assert.fail(result.error.message);
    assert.equal(result.value.serverKey.keyId, "ed25519:a_rfc1");
    assert.equal(result.value.serverKey.publicKeyBase64, RFC_PUBLIC);
    assert.equal(result.value.eventKey.keyId, POLICY_SERVER_KEY_ID);
    assert.equal(result.value.eventKey.publicKeyBase64, RFC_PUBLIC);
    assert.deepEqual(result.value.generated, []);
    assert.deepEqual(lines, []);
  });

  it("one file for both roles gives the same key material under both IDs", async () => {
    const result = await loadOrCreateKeys(
      { signingKeyPath: fixture("dendrite.key"), eventSigningKeyPath: fixture("dendrite.key") },
      { generateMissing: false, logger: recorder().logger },
    );
    if (!result.ok) assert.fail(result.error.message);
    assert.equal(result.value.serverKey.keyId, "ed25519:dendrite1");
    assert.equal(result.value.eventKey.keyId, POLICY_SERVER_KEY_ID);
    assert.equal(result.value.eventKey.publicKeyBase64, result.value.serverKey.publicKeyBase64);
  });

  it("production mode: a missing file is a fatal error value naming the variable and gen_signing_keys", async () => {
    const missing = join(dir, "absent.key");
    const result = await loadOrCreateKeys(
      { signingKeyPath: fixture("synapse.key"), eventSigningKeyPath: missing },
      { generateMissing: false, logger: recorder().logger },
    );
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.kind, "missing");
      assert.equal(
        result.error.message,
        `event signing key file ${missing} (PS_HOMESERVER_EVENT_SIGNING_KEY_PATH) does not exist: run gen_signing_keys to create it, or point PS_HOMESERVER_EVENT_SIGNING_KEY_PATH at your key`,
      );
    }
  });

  it("a malformed file is fatal in both modes", async () => {
    for (const generateMissing of [false, true]) {
      const result = await loadOrCreateKeys(
        { signingKeyPath: fixture("mmr-bad-version.key"), eventSigningKeyPath: fixture("mmr.key") },
        { generateMissing, logger: recorder().logger },
      );
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.kind, "malformed");
    }
  });

  it("embedded mode: generates missing keys, reports the paths and reuses them next time", async () => {
    const paths = {
      signingKeyPath: join(dir, "gen", "signing.key"),
      eventSigningKeyPath: join(dir, "gen", "event_signing.key"),
    };
    const { logger, lines } = recorder();
    const first = await loadOrCreateKeys(paths, { generateMissing: true, logger });
    if (!first.ok) assert.fail(first.error.message);
    assert.deepEqual(first.value.generated, [paths.signingKeyPath, paths.eventSigningKeyPath]);
    assert.equal(lines.length, 2);
    assert.ok(lines[0]?.includes(paths.signingKeyPath), lines[0]);
    assert.notEqual(first.value.serverKey.publicKeyBase64, first.value.eventKey.publicKeyBase64);
    const onDisk = await readKeyFile(paths.signingKeyPath);
    assert.ok(onDisk.ok && onDisk.value[0]?.keyId === first.value.serverKey.keyId);

    const second = await loadOrCreateKeys(paths, { generateMissing: true, logger });
    if (!second.ok) assert.fail(second.error.message);
    assert.deepEqual(second.value.generated, []);
    assert.equal(second.value.serverKey.publicKeyBase64, first.value.serverKey.publicKeyBase64);
    assert.equal(second.value.eventKey.publicKeyBase64, first.value.eventKey.publicKeyBase64);
  });

  it("embedded mode generates only what is missing", async () => {
    const server = join(dir, "partial-signing.key");
    await copyFile(fixture("synapse.key"), server);
    const event = join(dir, "partial-event.key");
    const result = await loadOrCreateKeys(
      { signingKeyPath: server, eventSigningKeyPath: event },
      { generateMissing: true, logger: recorder().logger },
    );
    if (!result.ok) assert.fail(result.error.message);
    assert.deepEqual(result.value.generated, [event]);
    assert.equal(result.value.serverKey.publicKeyBase64, RFC_PUBLIC);
    assert.equal(await readFile(server, "utf8"), await readFile(fixture("synapse.key"), "utf8"));
  });
});
