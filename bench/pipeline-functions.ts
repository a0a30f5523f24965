/**
 * Checks per second of the plain-function pipeline (`evaluateEvent`) with the default filter set on a typical
 * message. The actor pipeline benchmark prints this beside its own figures, so the cost of the actor fan-out stays
 * visible. Run alone: `npm run bench:build && node .bench/bench/pipeline-functions.js [n]`.
 */
import { pathToFileURL } from "node:url";
import type { CommunityConfig, InstanceFilterSettings } from "../src/config/community-config.js";
import { toFilterEvent } from "../src/filters/event-view.js";
import { FILTERS } from "../src/filters/registry.js";
import type { FilterEvent, FilterInput, RoomFacts } from "../src/filters/types.js";
import { canonicalJsonByteLength, getRoomVersion, referenceBytes, type JsonObject } from "../src/matrix/index.js";
import { evaluateEvent } from "../src/pipeline/evaluate.js";
import { instanceFilterSettings } from "../src/config/layering.js";
import { loadConfig } from "../src/config/load.js";
import { buildFilterPlan } from "../src/pipeline/plan.js";

/** The real instance defaults, from the option table with no environment: what every community gets by default. */
function instanceDefaults(): { config: CommunityConfig; instance: InstanceFilterSettings } {
  const loaded = loadConfig({
    PS_HOMESERVER_NAME: "policy.example",
    PS_MJOLNIR_FILTER_ROOM_ID: "!policies:example.org",
  });
  if (!loaded.ok) throw new Error(loaded.error.map((e) => e.message).join("; "));
  return { config: loaded.value.config.communityDefaults, instance: instanceFilterSettings(loaded.value.config) };
}

const DEFAULTS = instanceDefaults();
export const BENCH_CONFIG: CommunityConfig = DEFAULTS.config;
export const BENCH_INSTANCE: InstanceFilterSettings = DEFAULTS.instance;

/** A typical signed text message with a reply, a mention and a little HTML. */
export function typicalMessagePdu(): Record<string, unknown> {
  return {
    type: "m.room.message",
    sender: "@alice:example.org",
    room_id: "!room:example.org",
    origin_server_ts: 1_700_000_000_000,
    depth: 1234,
    prev_events: ["$prev1", "$prev2"],
    auth_events: ["$create", "$power", "$member"],
    hashes: { sha256: "Jx5s8zqLhUvJ4bZq1o3mG2M5fP1kS9y7uYJg0aQwVdE" },
    signatures: {
      "example.org": {
        "ed25519:a_abcd":
          "V1aM5bK7t9yOqzZ8v3W2yq6q0m0t8K8bQkq2Q5oT3c9mYbQ2hJm2b9m8k8x7Qy2gQy2hJm2b9m8k8x7Qy2gQy2hJm2b9m8k8x7Qy2gQ",
      },
    },
    content: {
      msgtype: "m.text",
      body: "> <@bob:example.org> are we still on for tomorrow?\n\nYes! See you at 10, Bob. Notes: https://example.org/notes",
      format: "org.matrix.custom.html",
      formatted_body:
        '<mx-reply><blockquote><a href="https://matrix.to/#/@bob:example.org">Bob</a> are we still on?</blockquote></mx-reply>Yes! See you at 10, <a href="https://matrix.to/#/@bob:example.org">Bob</a>. <img data-mx-emoticon height="32" src="mxc://example.org/wave" alt=":wave:">',
      "m.mentions": { user_ids: ["@bob:example.org"] },
      "m.relates_to": { "m.in_reply_to": { event_id: "$earlier" } },
    },
  };
}

const ROOM_VERSION_10 = (() => {
  const version = getRoomVersion("10");
  if (!version.ok) throw new Error(version.error);
  return version.value;
})();

/**
 * A fresh filter view of `pdu` as the HTTP layer hands it over: parsing the PDU measured its canonical length (for
 * the size limit) and computed the bytes its signatures cover (its event ID's input too), and the view carries
 * both. Building it is part of every measured check. `pdu` must hold no transient keys (filters.md §1.11).
 */
export function benchEvent(pdu: Record<string, unknown>, eventId: string): FilterEvent {
  const json = pdu as JsonObject;
  return toFilterEvent({
    pdu,
    eventId,
    roomVersion: "10",
    signedBytes: referenceBytes(json, ROOM_VERSION_10),
    jsonLength: canonicalJsonByteLength(json),
  });
}

/** A 200-member room with power levels, so the mentions and trust filters do real work. */
export const BENCH_ROOM: RoomFacts = typicalRoom();

function typicalRoom(): RoomFacts {
  return {
    members: Array.from({ length: 200 }, (_, i) => ({
      userId: `@user${i}:example.org`,
      displayName: `User Number ${i}`,
    })),
    powerLevels: {
      users: { "@mod:example.org": 100 },
      users_default: 0,
      state_default: 50,
      events: {},
      events_default: 0,
      ban: 50,
      kick: 50,
      redact: 50,
      invite: 0,
    },
    creators: undefined,
  };
}

/** Figures of one run. */
export interface PlainFunctionFigures {
  readonly checks: number;
  readonly seconds: number;
  readonly checksPerSecond: number;
  readonly filtersInPlan: number;
}

/**
 * Evaluates `n` checks (each with a fresh PDU object, as a live check would have, so per-event caches do not flatter
 * the figure) and reports checks per second. Awaits each check in turn: this is the single-check latency path.
 */
export async function benchPlainFunctions(n: number): Promise<PlainFunctionFigures> {
  const plan = buildFilterPlan(FILTERS, BENCH_CONFIG, BENCH_INSTANCE);
  const room = typicalRoom();
  const template = JSON.stringify(typicalMessagePdu());
  const inputFor = (i: number): FilterInput => ({
    event: benchEvent(JSON.parse(template) as Record<string, unknown>, `$e${i}`),
    config: BENCH_CONFIG,
    instance: BENCH_INSTANCE,
    room,
    banRules: [
      { kind: "user", entity: "@spammer*:example.org" },
      { kind: "server", entity: "*.evil.example" },
    ],
    muninnServers: new Set(["example.org"]),
    keywordTemplates: new Map(),
    senderHellbanned: false,
    now: 1_700_000_000_000,
  });
  // Warm-up so the figure is for optimised code.
  for (let i = 0; i < Math.min(2000, n); i++) await evaluateEvent(plan, inputFor(i), {}, { spamThreshold: 0.8 });
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const verdict = await evaluateEvent(plan, inputFor(i), {}, { spamThreshold: 0.8 });
    if (verdict.failure !== undefined) throw new Error(`benchmark check failed: ${verdict.failure.message}`);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const filtersInPlan = plan.groups.reduce((sum, g) => sum + g.filters.length, 0);
  return { checks: n, seconds, checksPerSecond: n / seconds, filtersInPlan };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 20000);
  const runs: PlainFunctionFigures[] = [];
  for (let i = 0; i < 5; i++) runs.push(await benchPlainFunctions(n));
  const sorted = runs.map((r) => r.checksPerSecond).sort((a, b) => a - b);
  const median = sorted[2] ?? 0;
  console.log(`plain-function pipeline: ${runs[0]?.filtersInPlan} filters in plan, ${n} checks per run, 5 runs`);
  console.log(`  median ${median.toFixed(0)} checks/s (min ${sorted[0]?.toFixed(0)}, max ${sorted[4]?.toFixed(0)})`);
  console.log(`  ${(1e6 / median).toFixed(1)} µs per check`);
}
