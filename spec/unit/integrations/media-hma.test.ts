import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { CommunityConfig, InstanceFilterSettings } from "../../../src/config/community-config.js";
import { hmaFilter } from "../../../src/filters/hma-filter.js";
import type { FilterEvent, FilterInput, MediaFetcher, MediaMatcher } from "../../../src/filters/types.js";
import { HARM_OTHER } from "../../../src/harms/content-info.js";
import { HARM_CHILD_SAFETY_CSAM, HARM_POLICYSERV_MEDIA, HARM_SPAM } from "../../../src/harms/ids.js";
import { createHmaClient, createHmaMediaMatcher } from "../../../src/integrations/hma-client.js";
import { createMediaDownloader, mediaDownloadUrl } from "../../../src/integrations/media-downloader.js";
import { sniffMediaKind } from "../../../src/integrations/media-kind.js";
import { extractMediaRefs, parseMxcUri } from "../../../src/integrations/media-refs.js";
import { FakeHma, fakeHashOf } from "../../support/fake-hma.js";
import { FakeMediaRepo } from "../../support/fake-media-repo.js";
import { FAILURE_MODES } from "../../support/fake-service-modes.js";
import { config, input as filterInput, INSTANCE } from "../filters/helpers.js";
import { openFetch, strictFetch } from "./helpers.js";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from("ftypisom"), Buffer.from([0, 0, 2, 0]), Buffer.from("mp41")]);

async function media(t: TestContext): Promise<FakeMediaRepo> {
  const server = await FakeMediaRepo.start();
  t.after(() => server.close());
  server.files.set("example.org/abc", { bytes: PNG, contentType: "image/png" });
  server.files.set("example.org/vid", { bytes: MP4, contentType: "video/mp4" });
  return server;
}

function downloader(server: FakeMediaRepo, overrides: Partial<Parameters<typeof createMediaDownloader>[0]> = {}): MediaFetcher {
  return createMediaDownloader({ fetch: openFetch(), baseUrl: server.url, accessToken: "media-token", timeoutMs: 300, maxBytes: 4096, ...overrides });
}

const ref = (mxc: string) => {
  const parsed = parseMxcUri(mxc);
  assert.ok(parsed.ok);
  return parsed.value;
};

describe("media references", () => {
  it("parses mxc URIs strictly", () => {
    assert.deepEqual(parseMxcUri("mxc://example.org/abc_-1"), { ok: true, value: { origin: "example.org", mediaId: "abc_-1", mxc: "mxc://example.org/abc_-1" } });
    for (const bad of ["https://example.org/abc", "mxc://example.org", "mxc://example.org/", "mxc://exa mple/abc", "mxc://example.org/a/b", "mxc://example.org/../x"]) {
      assert.equal(parseMxcUri(bad).ok, false, bad);
    }
  });

  it("extracts url and thumbnail_url, skipping empty and invalid URLs and collapsing duplicates", () => {
    const out = extractMediaRefs({ url: "mxc://a.org/x", info: { thumbnail_url: "mxc://a.org/x" } });
    assert.ok(out.ok);
    assert.equal(out.value.items.length, 1);
    const mixed = extractMediaRefs({ url: "", info: { thumbnail_url: "http://nope" } });
    assert.ok(mixed.ok);
    assert.equal(mixed.value.items.length, 0);
    assert.equal(mixed.value.invalid.length, 1);
    assert.deepEqual(extractMediaRefs({ url: 5 }), { ok: false, error: "content.url must be a string" });
    const wrong = extractMediaRefs({ info: { thumbnail_url: {} } });
    assert.equal(wrong.ok, false);
  });

  it("sniffs videos from the bytes, not the declared type", () => {
    assert.equal(sniffMediaKind(MP4), "video");
    assert.equal(sniffMediaKind(PNG), "photo");
    assert.equal(sniffMediaKind(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x84, ...Buffer.from("webm")])), "video");
    assert.equal(sniffMediaKind(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("AVI ")])), "video");
    assert.equal(sniffMediaKind(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBP")])), "photo");
  });

  it("builds the authenticated media download URL with escaped segments", () => {
    assert.equal(mediaDownloadUrl("https://hs.example/", ref("mxc://example.org/abc")), "https://hs.example/_matrix/client/v1/media/download/example.org/abc");
  });
});

describe("media downloader", () => {
  it("downloads with the bearer token, caches, and shares concurrent downloads", async (t) => {
    const server = await media(t);
    const fetcher = downloader(server);
    const [a, b] = await Promise.all([fetcher.download(ref("mxc://example.org/abc")), fetcher.download(ref("mxc://example.org/abc"))]);
    assert.ok(a.ok && b.ok);
    assert.deepEqual(Buffer.from(a.value.bytes), PNG);
    assert.equal(a.value.contentType, "image/png");
    assert.equal(server.downloads(), 1);
    await fetcher.download(ref("mxc://example.org/abc"));
    assert.equal(server.downloads(), 1, "served from the cache");
    const [request] = server.server.requests;
    assert.equal(request?.headers.authorization, "Bearer media-token");
  });

  it("accepts only 200 and does not cache failures", async (t) => {
    const server = await media(t);
    const fetcher = downloader(server);
    const missing = await fetcher.download(ref("mxc://example.org/nothere"));
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.error, /HTTP 404/);
    await fetcher.download(ref("mxc://example.org/nothere"));
    assert.equal(server.downloads(), 2);
  });

  for (const mode of FAILURE_MODES.filter((m) => m !== "malformed")) {
    it(`fails with a clear error when the media repository is ${mode}`, async (t) => {
      const server = await media(t);
      server.mode = mode;
      const result = await downloader(server).download(ref("mxc://example.org/abc"));
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, { slow: /timed out/, "429": /HTTP 429/, "500": /HTTP 500/, oversized: /exceeds 4096 bytes/ }[mode] ?? /./);
    });
  }

  it("refuses a denied address", async (t) => {
    const server = await media(t);
    const result = await downloader(server, { fetch: strictFetch() }).download(ref("mxc://example.org/abc"));
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /denied network/);
    assert.equal(server.downloads(), 0);
  });

  it("stops waiting when the caller's signal aborts", async (t) => {
    const server = await media(t);
    server.mode = "slow";
    const abort = new AbortController();
    const pending = downloader(server, { timeoutMs: 30_000 }).download(ref("mxc://example.org/abc"), abort.signal);
    abort.abort();
    const result = await pending;
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /cancelled/);
  });
});

async function hma(t: TestContext): Promise<FakeHma> {
  const server = await FakeHma.start();
  t.after(() => server.close());
  return server;
}

function matcher(hmaServer: FakeHma, mediaFetcher: MediaFetcher, fetch = openFetch()): MediaMatcher {
  const client = createHmaClient({ fetch, apiUrl: hmaServer.url, apiKey: "hma-key", timeoutMs: 300, maxResponseBytes: 4096 });
  return createHmaMediaMatcher({ client, media: mediaFetcher });
}

function event(content: Record<string, unknown>): FilterEvent {
  return { eventId: "$e", roomId: "!r:x", roomVersion: "10", type: "m.room.message", stateKey: undefined, sender: "@u:x", originServerTs: 0, pdu: { content }, content };
}

function input(content: Record<string, unknown>, banks: string[] = ["csam"]): FilterInput {
  return filterInput(event(content), {
    config: config({ hma_filter_enabled_banks: banks }),
    instance: { ...INSTANCE, hmaApiUrl: "https://hma.example" },
    now: 0,
  });
}

describe("HMA client and filter", () => {
  it("is enabled only with an API URL and enabled banks", () => {
    const on = { hmaApiUrl: "https://hma" } as unknown as InstanceFilterSettings;
    assert.equal(hmaFilter.enabled({ hma_filter_enabled_banks: ["a"] } as unknown as CommunityConfig, on), true);
    assert.equal(hmaFilter.enabled({ hma_filter_enabled_banks: [] } as unknown as CommunityConfig, on), false);
    assert.equal(hmaFilter.enabled({ hma_filter_enabled_banks: ["a"] } as unknown as CommunityConfig, { hmaApiUrl: "" } as unknown as InstanceFilterSettings), false);
  });

  it("prohibits media matching an enabled bank, with CSAM harms, and caches the match per item", async (t) => {
    const [mediaServer, hmaServer] = [await media(t), await hma(t)];
    hmaServer.banks.set(fakeHashOf(PNG), ["csam", "other-bank"]);
    const services = { hma: matcher(hmaServer, downloader(mediaServer)) };
    const outcome = await hmaFilter.check(input({ msgtype: "m.image", url: "mxc://example.org/abc" }), services);
    assert.ok(outcome.ok);
    assert.equal(outcome.value.info.class, "Prohibited");
    assert.deepEqual([...outcome.value.info.harms].sort(), [HARM_CHILD_SAFETY_CSAM, HARM_POLICYSERV_MEDIA, HARM_SPAM].sort());
    assert.deepEqual(hmaServer.fields, ["photo"]);
    const again = await hmaFilter.check(input({ url: "mxc://example.org/abc" }, ["other-bank"]), services);
    assert.ok(again.ok);
    assert.equal(again.value.info.class, "Prohibited");
    assert.equal(hmaServer.hashRequests(), 1, "the second check used the cached banks");
  });

  it("has no opinion on unmatched media, media in banks not enabled, and events without media", async (t) => {
    const [mediaServer, hmaServer] = [await media(t), await hma(t)];
    hmaServer.banks.set(fakeHashOf(MP4), ["not-enabled"]);
    const services = { hma: matcher(hmaServer, downloader(mediaServer)) };
    for (const content of [{ url: "mxc://example.org/vid" }, { url: "mxc://example.org/abc" }, { body: "text only" }]) {
      const outcome = await hmaFilter.check(input(content), services);
      assert.ok(outcome.ok);
      assert.equal(outcome.value.info.class, "Neutral", JSON.stringify(content));
    }
    assert.deepEqual([...hmaServer.fields].sort(), ["photo", "video"]);
  });

  it("fails the filter when content.url is not a string", async () => {
    const outcome = await hmaFilter.check(input({ url: 42 }), {});
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.error.message, /content.url must be a string/);
  });

  for (const mode of FAILURE_MODES) {
    for (const where of ["hash", "lookup", "media"] as const) {
      it(`prohibits with [other] when ${where} is ${mode}, and does not cache the failure`, async (t) => {
        const [mediaServer, hmaServer] = [await media(t), await hma(t)];
        if (where === "hash") hmaServer.hashMode = mode;
        else if (where === "lookup") hmaServer.lookupMode = mode;
        else if (mode === "malformed") return; // media bytes have no shape to break
        else mediaServer.mode = mode;
        const services = { hma: matcher(hmaServer, downloader(mediaServer)) };
        const outcome = await hmaFilter.check(input({ url: "mxc://example.org/abc" }), services);
        assert.ok(outcome.ok);
        assert.equal(outcome.value.info.class, "Prohibited");
        assert.deepEqual(outcome.value.info.harms, [HARM_OTHER]);
        hmaServer.hashMode = hmaServer.lookupMode = mediaServer.mode = "ok";
        const healed = await hmaFilter.check(input({ url: "mxc://example.org/abc" }), services);
        assert.ok(healed.ok);
        assert.equal(healed.value.info.class, "Neutral");
      });
    }
  }

  it("refuses a denied HMA address without sending anything", async (t) => {
    const [mediaServer, hmaServer] = [await media(t), await hma(t)];
    const outcome = await hmaFilter.check(input({ url: "mxc://example.org/abc" }), { hma: matcher(hmaServer, downloader(mediaServer), strictFetch()) });
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.value.info.harms, [HARM_OTHER]);
    assert.equal(hmaServer.server.requests.length, 0);
  });

  it("treats a missing matcher as a scanner failure", async () => {
    const outcome = await hmaFilter.check(input({ url: "mxc://example.org/abc" }), {});
    assert.ok(outcome.ok);
    assert.equal(outcome.value.info.class, "Prohibited");
  });
});
