/**
 * What cross-process rate counting costs on the hot path: the plain-function pipeline with the default filter set,
 * then the same with the frequency and mention-frequency filters on, reading and recording through a live
 * SharedRateCounter whose batched writes and NOTIFYs go to PostgreSQL while the checks run. Prints checks per
 * second of both, and the ratio (target: under 20% slower).
 *
 *   npm run bench:build && node .bench/bench/frequency.js [checks-per-run] [senders]
 *
 * PostgreSQL: `PS_BENCH_DATABASE` (an admin URL, default postgres://postgres@127.0.0.1:5432/postgres); a scratch
 * database is created and dropped. When no server answers, the counter writes to an in-memory store instead (the
 * hot-path cost is the same; the write cost is then not included) and the output says so.
 */
import postgres from "postgres";
import { pino } from "pino";
import { FILTERS } from "../src/filters/registry.js";
import type { FilterInput, FilterServices } from "../src/filters/types.js";
import { evaluateEvent } from "../src/pipeline/evaluate.js";
import { buildFilterPlan } from "../src/pipeline/plan.js";
import type { Verdict } from "../src/pipeline/types.js";
import {
  startSharedRateCounter,
  type RateCounterStore,
  type RateListen,
  type SharedRateCounter,
} from "../src/rate/shared-rate-counter.js";
import { ok } from "../src/result.js";
import { openDatabase, type Database } from "../src/storage/database.js";
import { migrate } from "../src/storage/migrate.js";
import { defaultMigrationsDirectory, readMigrations } from "../src/storage/migration-files.js";
import { createRateBatchesRepo } from "../src/storage/rate-events.repo.js";
import { BENCH_CONFIG, BENCH_INSTANCE, BENCH_ROOM, benchEvent, typicalMessagePdu } from "./pipeline-functions.js";

const silent = pino({ level: "silent" });
// High enough that nothing fires: the figure is for the path every legitimate message takes.
const WITH_FREQUENCY = { ...BENCH_CONFIG, frequency_filter_rate_limit: 100 };
const WITH_BOTH = { ...WITH_FREQUENCY, mention_frequency_filter_rate_limit: 100 };

interface Backend {
  readonly label: string;
  readonly store: RateCounterStore;
  readonly listen: RateListen;
  close(): Promise<void>;
}

async function postgresBackend(): Promise<Backend | undefined> {
  const admin = process.env["PS_BENCH_DATABASE"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const adminSql = postgres(admin, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  const name = `policyserv_bench_${process.pid}`;
  try {
    await adminSql.unsafe(`CREATE DATABASE ${name}`);
  } catch {
    await adminSql.end({ timeout: 1 });
    return undefined;
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db: Database = openDatabase({ url: url.href, logger: silent });
  const migrations = readMigrations(defaultMigrationsDirectory());
  if (!migrations.ok) throw new Error(migrations.error);
  const migrated = await migrate(db.sql, migrations.value, silent);
  if (!migrated.ok) throw new Error(migrated.error.message);
  return {
    label: "PostgreSQL (batched INSERT + NOTIFY every 100 ms)",
    store: createRateBatchesRepo(db.sql),
    listen: (channel, handler, options) => db.listen(channel, handler, options),
    async close() {
      await db.close();
      await adminSql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminSql.end({ timeout: 1 });
    },
  };
}

function memoryBackend(): Backend {
  return {
    label: "in-memory store (no PostgreSQL reachable: write cost not included)",
    store: {
      appendAndAnnounce: async () => ok(undefined),
      loadSince: async () => ok({ snapshot: "1:1:", rows: [] }),
      prune: async () => ok(0),
    },
    listen: async (_channel, _handler, options) => {
      setImmediate(() => options?.onListen?.());
      return async () => undefined;
    },
    close: async () => undefined,
  };
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Applies a verdict's rate effects as the runtime does after a check. */
function applyRates(counter: SharedRateCounter | undefined, communityId: string, verdict: Verdict): void {
  if (counter === undefined) return;
  for (const effect of verdict.effects) {
    if (effect.type === "rate") counter.record(communityId, effect.sender, effect.kind, effect.at, effect.amount);
  }
}

async function run(
  n: number,
  senders: number,
  config: typeof BENCH_CONFIG,
  counter: SharedRateCounter | undefined,
): Promise<number> {
  const plan = buildFilterPlan(FILTERS, config, BENCH_INSTANCE);
  const services: FilterServices = counter === undefined ? {} : { rates: counter };
  const template = typicalMessagePdu();
  const text = JSON.stringify(template);
  const inputFor = (i: number): FilterInput => {
    const pdu = JSON.parse(text) as Record<string, unknown>;
    pdu["sender"] = `@sender${i % senders}:example.org`;
    return {
      event: benchEvent(pdu, `$e${i}`),
      config,
      instance: BENCH_INSTANCE,
      room: BENCH_ROOM,
      banRules: [],
      muninnServers: new Set(["example.org"]),
      keywordTemplates: new Map(),
      senderHellbanned: false,
      now: Date.now(),
      communityId: "bench-community",
    };
  };
  const once = async (i: number): Promise<void> => {
    const verdict = await evaluateEvent(plan, inputFor(i), services, { spamThreshold: 0.8 });
    if (verdict.failure !== undefined) throw new Error(`benchmark check failed: ${verdict.failure.message}`);
    if (verdict.spam) throw new Error("benchmark event was refused: the figure must be for the clean path");
    applyRates(counter, "bench-community", verdict);
  };
  for (let i = 0; i < 2000; i++) await once(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await once(i);
    // Let timers (the counter's batched writes) run during the measurement, in both variants alike.
    if (i % 100 === 99) await yieldToLoop();
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const n = Number(process.argv[2] ?? 20_000);
const senders = Number(process.argv[3] ?? 500);
const backend = (await postgresBackend()) ?? memoryBackend();
const counter = startSharedRateCounter({ store: backend.store, listen: backend.listen, logger: silent, now: Date.now });
await counter.ready;
const without: number[] = [];
const frequencyOnly: number[] = [];
const both: number[] = [];
for (let round = 0; round < 5; round++) {
  without.push(await run(n, senders, BENCH_CONFIG, undefined));
  frequencyOnly.push(await run(n, senders, WITH_FREQUENCY, counter));
  both.push(await run(n, senders, WITH_BOTH, counter));
}
await counter.sync();
const stats = counter.stats();
await counter.stop();
await backend.close();

const base = median(without);
const line = (label: string, figure: number): string =>
  `  ${label.padEnd(44)} ${figure.toFixed(0).padStart(7)} checks/s  ${(1e6 / figure).toFixed(1).padStart(6)} µs/check` +
  (figure === base
    ? ""
    : `  ratio ${(figure / base).toFixed(3)} (${((1 - figure / base) * 100).toFixed(1)}% slower; target < 20%)`);
console.log(
  `rate counting: ${n} checks per run, 5 runs each (median), ${senders} senders, counter on ${backend.label}`,
);
console.log(line("default filter set", base));
console.log(line("+ frequency filter (cross-process counter)", median(frequencyOnly)));
console.log(line("+ mention-frequency filter too", median(both)));
console.log(`  counter after the runs: ${stats.windows} windows held, ${stats.unflushed} rows unwritten`);
