import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { parseMuninnDirectory, pollMuninnOnce, startMuninnPoller, type MuninnStore } from "../../../src/integrations/muninn-poller.js";
import { err, ok } from "../../../src/result.js";
import { FakeMuninn } from "../../support/fake-muninn.js";
import { FAILURE_MODES } from "../../support/fake-service-modes.js";
import { openFetch, recordingLogger, strictFetch } from "./helpers.js";

async function fake(t: TestContext): Promise<FakeMuninn> {
  const server = await FakeMuninn.start();
  t.after(() => server.close());
  return server;
}

function memoryStore(): MuninnStore & { data: Map<string, unknown>; writes: number } {
  const data = new Map<string, unknown>();
  const store = {
    data,
    writes: 0,
    put: async (source: string, key: string, value: unknown) => {
      store.writes++;
      data.set(`${source}/${key}`, value);
      return ok(undefined);
    },
  };
  return store;
}

describe("Muninn Hall directory", () => {
  it("parses the bare directory into sorted server names", () => {
    assert.deepEqual(parseMuninnDirectory(Buffer.from('{"t2l.io":["@b:t2l.io"],"matrix.org":["@a:matrix.org"],"x.org":null}')), ok(["matrix.org", "t2l.io", "x.org"]));
    assert.deepEqual(parseMuninnDirectory(Buffer.from("{}")), ok([]));
    assert.equal(parseMuninnDirectory(Buffer.from('{"errcode":"M_FORBIDDEN","error":"no"}')).ok, false);
    assert.equal(parseMuninnDirectory(Buffer.from("[]")).ok, false);
    assert.equal(parseMuninnDirectory(Buffer.from('{"a":[1]}')).ok, false);
  });

  it("polls with the bearer key and stores trust_data('muninn_hall','')", async (t) => {
    const server = await fake(t);
    const store = memoryStore();
    const result = await pollMuninnOnce({ fetch: openFetch(), url: server.url, apiKey: "muninn-key", store });
    assert.deepEqual(result, ok(2));
    assert.deepEqual(store.data.get("muninn_hall/"), { server_names: ["matrix.org", "t2l.io"] });
    assert.equal(server.server.requests[0]?.headers.authorization, "Bearer muninn-key");
  });

  it("an empty directory clears the list", async (t) => {
    const server = await fake(t);
    server.directory = {};
    const store = memoryStore();
    await pollMuninnOnce({ fetch: openFetch(), url: server.url, apiKey: "muninn-key", store });
    assert.deepEqual(store.data.get("muninn_hall/"), { server_names: [] });
  });

  for (const mode of [...FAILURE_MODES, "unauthorised"] as const) {
    it(`keeps the last good directory when the API is ${mode}`, async (t) => {
      const server = await fake(t);
      const store = memoryStore();
      if (mode === "unauthorised") {
        const result = await pollMuninnOnce({ fetch: openFetch(), url: server.url, apiKey: "wrong", store });
        assert.equal(result.ok, false);
      } else {
        server.mode = mode;
        const result = await pollMuninnOnce({ fetch: openFetch(), url: server.url, apiKey: "muninn-key", store, timeoutMs: 200, maxBytes: 4096 });
        assert.equal(result.ok, false);
      }
      assert.equal(store.writes, 0);
    });
  }

  it("refuses a denied address", async (t) => {
    const server = await fake(t);
    const store = memoryStore();
    const result = await pollMuninnOnce({ fetch: strictFetch(), url: server.url, apiKey: "muninn-key", store });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /denied network/);
    assert.equal(server.server.requests.length, 0);
  });

  it("reports a store failure", async (t) => {
    const server = await fake(t);
    const result = await pollMuninnOnce({ fetch: openFetch(), url: server.url, apiKey: "muninn-key", store: { put: async () => err({ message: "database down" }) } });
    assert.deepEqual(result, err("storing the Muninn Hall member directory failed: database down"));
  });
});

describe("Muninn poller schedule", () => {
  it("is off when the URL or the key is empty", async () => {
    for (const [url, apiKey] of [["", "k"], ["https://x", ""], [undefined, "k"]] as const) {
      const poller = startMuninnPoller({ fetch: openFetch(), url, apiKey, store: memoryStore(), logger: recordingLogger() });
      assert.equal(poller.enabled, false);
      assert.equal((await poller.pollNow()).ok, false);
    }
  });

  it("polls 0-9 s after start, then every 50-70 minutes, and refreshes the trust cache after a good poll", async (t) => {
    const server = await fake(t);
    const timers: { fn: () => void; ms: number }[] = [];
    let refreshed = 0;
    const store = memoryStore();
    const poller = startMuninnPoller({
      fetch: openFetch(),
      url: server.url,
      apiKey: "muninn-key",
      store,
      logger: recordingLogger(),
      random: () => 0.5,
      setTimer: (fn, ms) => (timers.push({ fn, ms }), {}),
      clearTimer: () => undefined,
      onUpdated: () => void refreshed++,
    });
    assert.equal(timers[0]?.ms, 5000);
    timers[0]?.fn();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(store.writes, 1);
    assert.equal(refreshed, 1);
    assert.equal(timers[1]?.ms, 60 * 60_000);
    server.mode = "500";
    const failed = await poller.pollNow();
    assert.equal(failed.ok, false);
    assert.equal(store.writes, 1, "a failed poll writes nothing");
    await poller.stop();
  });
});
