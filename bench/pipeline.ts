/**
 * Checks per second through the actor pipeline (community actor → check session → one filter actor per enabled
 * filter → aggregate) with the real filter registry and upstream's default community config, for 1, 100 and 10,000
 * communities; the same filters as plain functions (`evaluateEvent`) so the actor overhead is a printed ratio; and
 * RSS with 10,000 communities and 100,000 hellbanned senders (measured in a fresh child process, after a full GC).
 * `npm run bench:pipeline [checks]`.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Registry } from "prom-client";
import { FILTERS } from "../src/filters/registry.js";
import type { FilterEvent } from "../src/filters/types.js";
import { buildFilterPlan } from "../src/pipeline/plan.js";
import { ok } from "../src/result.js";
import { memoryPorts } from "../actors/memory-ports.js";
import type { VerdictPort } from "../actors/ports.js";
import { standardPipelineSteps } from "../actors/standard-pipeline-steps.js";
import { startPolicyRuntime, type PolicyRuntime } from "../actors/system.js";
import {
  BENCH_CONFIG,
  BENCH_INSTANCE,
  BENCH_ROOM,
  benchEvent,
  benchPlainFunctions,
  typicalMessagePdu,
} from "./pipeline-functions.js";

/** Verdicts go to PostgreSQL in production, outside this process: a store that keeps nothing measures the actors. */
const discardingVerdicts: VerdictPort = {
  get: async () => ok(undefined),
  putMany: async () => ok(undefined),
};

interface RunFigures {
  readonly communities: number;
  readonly checks: number;
  readonly checksPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function startBenchRuntime(communities: number, hellbans: number, processing: number) {
  const ports = { ...memoryPorts(), verdicts: discardingVerdicts };
  for (let c = 0; c < communities; c++) ports.communities.rows.set(`community-${c}`, {});
  const now = Date.now();
  for (let h = 0; h < hellbans; h++) {
    void ports.hellbans.ban(`community-${h % communities}`, `@banned${h}:spam.example`, now + 3_600_000, now);
  }
  ports.trust.rules = [
    { kind: "user", entity: "@spammer*:example.org" },
    { kind: "server", entity: "*.evil.example" },
  ];
  ports.trust.servers = new Set(["example.org"]);
  const runtime = startPolicyRuntime({
    ports,
    registry: FILTERS,
    steps: standardPipelineSteps,
    communityDefaults: BENCH_CONFIG,
    instance: BENCH_INSTANCE,
    logger: pino({ level: "warn" }),
    metrics: new Registry(),
    pools: { processing, processingQueue: processing * 10, moderation: 25, webhooks: 5 },
  });
  return { runtime, ports };
}

function eventFactory(): (i: number) => FilterEvent {
  const template = JSON.stringify(typicalMessagePdu());
  return (i) =>
    benchEvent(JSON.parse(template) as Record<string, unknown>, `$bench${i}`);
}

/** Keeps `concurrency` checks in flight until `checks` are answered; returns throughput and latency. */
async function drive(
  runtime: PolicyRuntime,
  communities: number,
  checks: number,
  concurrency: number,
  offset: number,
): Promise<RunFigures> {
  const makeEvent = eventFactory();
  const latencies = new Float64Array(checks);
  let issued = 0;
  let failures = 0;
  const startedAt = performance.now();
  const lane = async (): Promise<void> => {
    while (issued < checks) {
      const i = issued++;
      const t0 = performance.now();
      const outcome = await runtime.checkEvent({
        communityId: `community-${i % communities}`,
        event: makeEvent(offset + i),
        roomFacts: BENCH_ROOM,
      });
      latencies[i] = performance.now() - t0;
      if (outcome.type !== "verdict" || outcome.verdict.failure) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - startedAt) / 1000;
  if (failures > 0) throw new Error(`${failures} checks did not produce a clean verdict`);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    communities,
    checks,
    checksPerSecond: checks / seconds,
    p50Ms: sorted[Math.floor(checks * 0.5)] ?? 0,
    p99Ms: sorted[Math.floor(checks * 0.99)] ?? 0,
  };
}

async function benchActors(communities: number, checks: number, concurrency: number): Promise<RunFigures> {
  const { runtime } = startBenchRuntime(communities, 0, concurrency);
  // Warm-up: spawn every community actor and let the JIT settle.
  await drive(runtime, communities, Math.max(communities, 5_000), concurrency, 10_000_000);
  const figures = await drive(runtime, communities, checks, concurrency, 0);
  await runtime.stop();
  return figures;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** RSS in a fresh process (so earlier phases' heap does not count): 10,000 communities, 100,000 banned senders. */
async function rssPhase(concurrency: number): Promise<void> {
  gc();
  const baseline = process.memoryUsage().rss;
  const { runtime, ports } = startBenchRuntime(10_000, 100_000, concurrency);
  const loaded = await runtime.ready;
  if (!loaded.ok) throw new Error(`hellbans did not load: ${loaded.error}`);
  // In production the rows live in PostgreSQL, not in this process.
  ports.hellbans.rows.clear();
  gc();
  const afterLoad = process.memoryUsage();
  await drive(runtime, 10_000, 20_000, concurrency, 20_000_000);
  gc();
  const rss = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  console.log(
    `  RSS with 10,000 communities and ${runtime.stats().hellbans} hellbanned senders: ${mb(rss)}` +
      ` (heap ${mb(heap)}; after loading bans, before checks: RSS ${mb(afterLoad.rss)}, heap ${mb(afterLoad.heapUsed)};` +
      ` fresh process before start: ${mb(baseline)}; target < 400 MB)`,
  );
  await runtime.stop();
}

async function main(): Promise<void> {
  const checks = Number(process.argv[2] ?? 30_000);
  const concurrency = 100; // PS_PROCESSING_POOL_SIZE default
  const plan = buildFilterPlan(FILTERS, BENCH_CONFIG, BENCH_INSTANCE);
  const filterCount = plan.groups.reduce((n, g) => n + g.filters.length, 0);
  console.log(
    `actor pipeline: ${filterCount} filters in the default plan, ${checks} checks per run, ${concurrency} in flight`,
  );

  const plain = await benchPlainFunctions(20_000);
  console.log(`  plain functions (evaluateEvent, sequential): ${plain.checksPerSecond.toFixed(0)} checks/s`);

  const results: RunFigures[] = [];
  for (const communities of [1, 100, 10_000]) {
    const r = await benchActors(communities, checks, concurrency);
    results.push(r);
    console.log(
      `  actors, ${String(communities).padStart(6)} communities: ${r.checksPerSecond.toFixed(0).padStart(6)} checks/s` +
        `  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
        `  plain/actor ratio ${(plain.checksPerSecond / r.checksPerSecond).toFixed(1)}×`,
    );
  }
  const rates = results.map((r) => r.checksPerSecond);
  const spread = (Math.max(...rates) - Math.min(...rates)) / Math.max(...rates);
  console.log(
    `  spread 1 → 10,000 communities: ${(spread * 100).toFixed(1)}% (target ≤ 20%), target ≥ 15,000 checks/s`,
  );

  // Same runtime flags as this process (a tsx loader when run from source), so the child measures the same code.
  execFileSync(process.execPath, [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), "--rss"], {
    stdio: "inherit",
  });
}

if (process.argv.includes("--rss")) await rssPhase(100);
else await main();
