import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import type { FilterDefinition, FilterServices } from "../../../src/filters/types.js";
import { FILTERS } from "../../../src/filters/registry.js";
import { bindFilterServices } from "../../../src/integrations/bind-filter-services.js";
import { createConcurrencyLimit } from "../../../src/integrations/concurrency-limit.js";
import { createIntegrations } from "../../../src/integrations/create-integrations.js";
import { LruCache } from "../../../src/integrations/lru-cache.js";
import { withRetries } from "../../../src/integrations/retry.js";
import { isRetryable, parseRetryAfter, type ServiceError } from "../../../src/integrations/service-call.js";
import { err, ok } from "../../../src/result.js";
import { openFetch, recordingLogger } from "./helpers.js";

const status = (s: number, retryAfterMs?: number): ServiceError => ({ kind: "status", status: s, retryAfterMs, message: `HTTP ${s}` });

describe("retries", () => {
  it("retries only retryable errors, up to the bound, waiting at least Retry-After (capped)", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(async () => (calls++, err(status(429, 5000))), { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000 }, { sleep: async (ms) => void waits.push(ms), random: () => 0 });
    assert.equal(result.ok, false);
    assert.equal(calls, 3);
    assert.deepEqual(waits, [1000, 1000]);
    calls = 0;
    await withRetries(async () => (calls++, err(status(404))), { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { sleep: async () => undefined });
    assert.equal(calls, 1);
    assert.deepEqual(await withRetries(async (n) => (n < 2 ? err(status(503)) : ok(n)), { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, { sleep: async () => undefined }), ok(2));
  });

  it("classifies errors and reads Retry-After in every form", () => {
    assert.equal(isRetryable(status(500)), true);
    assert.equal(isRetryable(status(400)), false);
    assert.equal(isRetryable({ kind: "fetch", cause: "denied_address", message: "" }), false);
    assert.equal(isRetryable({ kind: "fetch", cause: "timeout", message: "" }), true);
    assert.equal(parseRetryAfter("3", Buffer.alloc(0)), 3000);
    assert.equal(parseRetryAfter(undefined, Buffer.from('{"retry_after_ms":250}')), 250);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), Buffer.alloc(0), 4_000), 6_000);
    assert.equal(parseRetryAfter("soon", Buffer.alloc(0)), undefined);
  });

  it("refuses a nonsense policy", async () => {
    await assert.rejects(withRetries(async () => ok(1), { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 }), /maxAttempts/);
  });
});

describe("concurrency limit", () => {
  it("runs at most N at once, queues up to M, refuses beyond, and drops aborted waiters", async () => {
    const limit = createConcurrencyLimit(1, 1);
    let release: () => void = () => undefined;
    const first = limit.run(() => new Promise<string>((resolve) => (release = () => resolve("first"))));
    const abort = new AbortController();
    const second = limit.run(async () => "second", abort.signal);
    assert.deepEqual(await limit.run(async () => "third"), err("too many requests waiting (1)"));
    abort.abort();
    assert.deepEqual(await second, err("cancelled while waiting for a free slot"));
    const fourth = limit.run(async () => "fourth");
    release();
    assert.deepEqual(await first, ok("first"));
    assert.deepEqual(await fourth, ok("fourth"));
    assert.equal(limit.active, 0);
  });
});

describe("LRU cache", () => {
  it("evicts the least recently used, expires by TTL and respects the weight budget", () => {
    let now = 0;
    const cache = new LruCache<string>({ maxEntries: 2, ttlMs: 100, maxWeight: 10, weigh: (v) => v.length, now: () => now });
    cache.set("a", "1");
    cache.set("b", "2");
    cache.get("a");
    cache.set("c", "3");
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), "1");
    cache.set("big", "x".repeat(11));
    assert.equal(cache.get("big"), undefined);
    now = 200;
    assert.equal(cache.get("a"), undefined);
    assert.equal(cache.size, 1);
  });
});

describe("binding services into the registry", () => {
  it("gives I/O filters the bound services and keeps the runner's signal; pure filters are untouched", async () => {
    const seen: FilterServices[] = [];
    const io: FilterDefinition = { name: "io", group: "main", io: true, enabled: () => true, check: (_i, s) => (seen.push(s), ok({ info: { class: "Neutral", harms: [] } })) };
    const pure: FilterDefinition = { ...io, name: "pure", io: false };
    const media = { download: async () => err("x") };
    const [boundIo, boundPure] = bindFilterServices([io, pure], { media });
    assert.equal(boundPure, pure);
    const signal = new AbortController().signal;
    await boundIo?.check({} as never, { signal });
    assert.equal(seen[0]?.media, media);
    assert.equal(seen[0]?.signal, signal);
    assert.ok(bindFilterServices(FILTERS, {}).some((f) => f.name === "openai_filter" || f.name === "hma_filter"));
  });
});

describe("createIntegrations", () => {
  it("builds only what the config enables, and never throws for a bad moderator token", async () => {
    const base = {
      filters: { mjolnirRoomId: undefined, openai: { apiKey: undefined, allowedRoomIds: [] }, hma: { apiUrl: undefined, apiKey: undefined }, muninn: { apiUrl: undefined, apiKey: undefined } },
      media: { clientUrl: "https://matrix-client.matrix.org", accessToken: undefined },
      webhooks: { allowedDomains: ["element.ems.host"] },
      moderatorAccessTokens: new Map([["127.0.0.1:1", "tok"]]),
      communityDefaults: { webhook_url: "" },
    };
    const repos = { rooms: { get: async () => ok(null) }, communities: { get: async () => ok(null) }, trustData: { put: async () => ok(undefined) } };
    const logger = recordingLogger();
    const off = createIntegrations({ config: base as never, fetch: openFetch(), repos, logger: logger as never, metrics: new Registry(), moderatorBaseUrl: (d) => `http://${d}` });
    assert.deepEqual(Object.keys(off.filterServices), ["media"]);
    assert.equal(off.muninn.enabled, false);
    assert.deepEqual(await off.moderatorsReady, []);
    assert.ok(logger.lines.some((l) => l.level === "error"));
    await off.stop();
    const on = createIntegrations({
      config: { ...base, moderatorAccessTokens: new Map(), filters: { ...base.filters, openai: { apiKey: "sk", allowedRoomIds: ["!r:x"] }, hma: { apiUrl: "https://hma.example", apiKey: "k" } } } as never,
      fetch: openFetch(),
      repos,
      logger: logger as never,
      metrics: new Registry(),
    });
    assert.deepEqual(Object.keys(on.filterServices).sort(), ["hma", "media", "openai"]);
    await on.stop();
  });
});
