import { pino, type Logger } from "pino";
import { Writable } from "node:stream";
import { Registry } from "prom-client";
import type { CommunityConfig, InstanceFilterSettings } from "../../../src/config/community-config.js";
import type { FilterDefinition, FilterEvent, FilterOutcome, RoomFacts } from "../../../src/filters/types.js";
import { contentInfo, NEUTRAL } from "../../../src/harms/content-info.js";
import { ok } from "../../../src/result.js";
import { memoryPorts } from "../../../actors/memory-ports.js";
import { standardPipelineSteps } from "../../../actors/standard-pipeline-steps.js";
import { startPolicyRuntime, type PolicyRuntime, type PolicyRuntimeDeps } from "../../../actors/system.js";
import type { Clock } from "../../../actors/kernel/clock.js";

/** Community defaults for actor tests: every filter-enabling list empty, hellban 60 minutes. */
export const TEST_DEFAULTS: CommunityConfig = Object.freeze({
  keyword_filter_keywords: [],
  keyword_filter_use_full_event: false,
  keyword_template_filter_template_names: [],
  keyword_template_filter_use_full_event: false,
  mention_filter_max_mentions: 0,
  mention_filter_min_plaintext_length: 5,
  mention_frequency_filter_rate_limit: 0,
  mention_frequency_filter_min_plaintext_length: 5,
  many_ats_filter_max_ats: 0,
  media_filter_media_types: [],
  untrusted_media_filter_media_types: [],
  untrusted_media_filter_use_muninn: true,
  untrusted_media_filter_use_power_levels: true,
  untrusted_media_filter_allowed_user_globs: [],
  untrusted_media_filter_denied_user_globs: [],
  density_filter_max_density: 0,
  density_filter_min_trigger_length: 150,
  trim_length_filter_max_difference: 0,
  length_filter_max_length: 0,
  sender_prefilter_allowed_senders: [],
  event_type_prefilter_allowed_event_types: [],
  event_type_prefilter_allowed_state_event_types: [],
  hellban_postfilter_minutes: 60,
  mjolnir_filter_enabled: false,
  spam_threshold: 0.8,
  webhook_url: "",
  openai_filter_fail_secure: true,
  sticky_events_filter_allow_sticky_events: true,
  hma_filter_enabled_banks: [],
  link_filter_allowed_url_globs: [],
  link_filter_denied_url_globs: [],
  unsafe_signing_key_filter_enabled: false,
  frequency_filter_event_types: [],
  frequency_filter_rate_limit: 0,
  moderation_bot_user_id: "",
  user_id_contains_words_filter_max_words: 0,
  user_id_length_filter_max_length: 0,
  inline_emoji_size_filter_max_height_pixels: 0,
});

export const TEST_INSTANCE: InstanceFilterSettings = Object.freeze({
  homeserverName: "policy.test",
  joinLocalpart: "policyserv",
  mjolnirFilterRoomId: "",
  openaiFilterApiKey: "",
  openaiFilterAllowedRoomIds: [],
  hmaApiUrl: "",
  hmaApiKey: "",
});

export const EMPTY_ROOM: RoomFacts = { members: [], powerLevels: undefined, creators: undefined };

let eventCounter = 0;

/** A message event; a fresh event ID unless one is given. */
export function messageEvent(body: string, overrides: Partial<FilterEvent> = {}): FilterEvent {
  const content = { msgtype: "m.text", body };
  return {
    eventId: `$event-${eventCounter++}`,
    roomId: "!room:hs1.test",
    roomVersion: "10",
    type: "m.room.message",
    stateKey: undefined,
    sender: "@alice:hs1.test",
    originServerTs: 1_700_000_000_000,
    pdu: { type: "m.room.message", content },
    content,
    ...overrides,
  };
}

/** A main-group CPU filter that flags bodies containing "spam" and counts its runs. */
export function spamWordFilter(): FilterDefinition & { runs: number } {
  const filter = {
    name: "test_spam_word",
    group: "main" as const,
    io: false,
    runs: 0,
    enabled: () => true,
    check: (input: Parameters<FilterDefinition["check"]>[0]): FilterOutcome => {
      filter.runs++;
      const body = input.event.content["body"];
      return ok({ info: typeof body === "string" && body.includes("spam") ? contentInfo("Prohibited", ["org.matrix.msc4456.spam"]) : NEUTRAL });
    },
  };
  return filter;
}

/** A main-group I/O filter that answers Neutral after `delayMs` (or never, when `delayMs` is Infinity). */
export function slowIoFilter(delayMs: number, name = "test_slow_io"): FilterDefinition & { runs: number } {
  const filter = {
    name,
    group: "main" as const,
    io: true,
    runs: 0,
    enabled: () => true,
    check: (): Promise<FilterOutcome> => {
      filter.runs++;
      if (delayMs === Infinity) return new Promise<FilterOutcome>(() => undefined);
      return new Promise<FilterOutcome>((resolve) => setTimeout(() => resolve(ok({ info: NEUTRAL })), delayMs));
    },
  };
  return filter;
}

/** A main-group CPU filter that throws on its first `throwTimes` runs. */
export function throwingFilter(throwTimes: number): FilterDefinition & { runs: number } {
  const filter = {
    name: "test_throwing",
    group: "main" as const,
    io: false,
    runs: 0,
    enabled: () => true,
    check: (): FilterOutcome => {
      filter.runs++;
      if (filter.runs <= throwTimes) throw new Error("boom");
      return ok({ info: NEUTRAL });
    },
  };
  return filter;
}

/** The hellban prefilter/postfilter pair with the product's semantics, written small for the tests. */
export const testHellbanPrefilter: FilterDefinition = {
  name: "test_hellban_prefilter",
  group: "hellban_prefilter",
  io: false,
  enabled: (config) => config.hellban_postfilter_minutes > 0,
  check: (input) => ok({ info: input.senderHellbanned ? contentInfo("Prohibited", ["org.matrix.msc4456.spam.flooding"]) : NEUTRAL }),
};

export const testHellbanPostfilter: FilterDefinition = {
  name: "test_hellban_postfilter",
  group: "postfilter",
  io: false,
  enabled: (config) => config.hellban_postfilter_minutes > 0,
  check: (input) =>
    ok({
      info: contentInfo("Prohibited", ["org.matrix.msc4456.spam.flooding"]),
      effects: [{ type: "hellban", sender: input.event.sender, minutes: input.config.hellban_postfilter_minutes }],
    }),
};

/** A logger that keeps its JSON lines in memory. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = pino({ level: "info" }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export type TestRuntime = {
  runtime: PolicyRuntime;
  ports: ReturnType<typeof memoryPorts>;
  metrics: Registry;
  logLines: () => Record<string, unknown>[];
};

/** Starts a runtime on a real nact system with memory ports and community `c1` stored with no overrides. */
export function startTestRuntime(
  registry: readonly FilterDefinition[],
  options: Partial<Omit<PolicyRuntimeDeps, "ports" | "registry" | "logger" | "metrics">> & {
    clock?: Clock;
    /** Fills the memory stores before the runtime starts (what a restarted process finds). */
    seed?: (ports: ReturnType<typeof memoryPorts>) => void;
  } = {},
): TestRuntime {
  const ports = memoryPorts();
  ports.communities.rows.set("c1", {});
  const { seed, ...deps } = options;
  seed?.(ports);
  const metrics = new Registry();
  const { logger, lines } = memoryLogger();
  const runtime = startPolicyRuntime({
    ports,
    registry,
    steps: standardPipelineSteps,
    communityDefaults: TEST_DEFAULTS,
    instance: TEST_INSTANCE,
    logger,
    metrics,
    pools: { processing: 2_000, moderation: 2, webhooks: 2 },
    ...deps,
  });
  return { runtime, ports, metrics, logLines: lines };
}

/** The value of one counter series, 0 when absent. */
export async function counterValue(metrics: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  const series = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return series?.value ?? 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lets `n` event-loop turns pass. nact handles each message in its own setImmediate, so work already queued has run
 * after a few turns however loaded the machine is, where a short sleep can fire first on a busy CI runner.
 */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Polls `condition` until it holds; fails after `timeoutMs` (generous: it only bounds a broken test). */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}
