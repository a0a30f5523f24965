/**
 * The actor runtime's one entry point for the rest of the program. The HTTP layer calls `checkEvent` and friends;
 * it never sees a Ref, a message or nact. Everything the runtime needs is a parameter (ports, filter registry,
 * pipeline steps, logger, metrics registry, clock), so tests run it on a real nact system with fakes.
 */
import { start, stop as stopActor, spawn, type Ref } from "nact";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { RuntimeStats } from "../src/app/runtime-gauges.js";
import type { CommunityConfig, CommunityOverrides, InstanceFilterSettings } from "../src/config/community-config.js";
import type { FilterDefinition, FilterEvent, RateKind, RateReader, RoomFacts } from "../src/filters/types.js";
import type { Verdict } from "../src/pipeline/types.js";
import { err, ok, type Result } from "../src/result.js";
import { Admission } from "./admission.js";
import type { SessionOutcome } from "./check-session/check-session.protocol.js";
import { checkSessionSupervision } from "./check-session/check-session.supervision.js";
import type { SessionEnvironment } from "./check-session/check-session.actor.js";
import { overlayConfig, spawnCommunity, type CommunityEnvironment } from "./community/community.actor.js";
import {
  checkEventsCommand,
  reloadConfigCommand,
  type CommunityCheck,
  type CommunityCommand,
} from "./community/community.protocol.js";
import { spawnFilterPool } from "./filter-worker/filter-worker.actor.js";
import { spawnKeyedSupervisor } from "./kernel/buckets.js";
import { systemClock, trackedClock, type Clock } from "./kernel/clock.js";
import { deferred } from "./kernel/reply.js";
import { hellbanKey } from "./memory-ports.js";
import type { PipelineSteps } from "./pipeline-steps.js";
import type { RuntimePorts } from "./ports.js";
import { spawnRoomState } from "./room-state/room-state.actor.js";
import type { RoomStateCommand } from "./room-state/room-state.protocol.js";
import { createRuntimeMetrics, type CheckOutcomeLabel } from "./runtime-metrics.js";
import { HellbanIndex } from "./sender-timeout/hellban-index.js";
import { senderTimeoutSupervision, spawnSenderTimeout } from "./sender-timeout/sender-timeout.actor.js";
import type { SenderTimeoutCommand } from "./sender-timeout/sender-timeout.protocol.js";
import { VerdictWriter } from "./verdict-writer.js";
import { spawnWorkerPool, type WorkerPool } from "./worker-pool/worker-pool.actor.js";
import type { ModerationJob, WebhookJob } from "./worker-pool/worker-pool.protocol.js";

/** Pool sizes (from `PS_PROCESSING_POOL_SIZE`, `PS_MODERATION_POOL_SIZE`, `PS_WEBHOOK_POOL_SIZE`). */
export interface RuntimePools {
  readonly processing: number;
  /** Checks allowed to wait for a processing slot; default 10 × processing. */
  readonly processingQueue?: number;
  readonly moderation: number;
  readonly webhooks: number;
  /** Workers per I/O filter; default: a quarter of `processing`, at least 8 (see spawnFilterPool). */
  readonly filterIo?: number;
  /** Workers per CPU filter; default: a quarter of `processing`, at least 8 (see spawnFilterPool). */
  readonly filterCpu?: number;
  /** Jobs allowed to wait in each of the moderation and webhook pools; default 1,000. */
  readonly jobQueue?: number;
}

export interface PolicyRuntimeDeps {
  readonly ports: RuntimePorts;
  readonly registry: readonly FilterDefinition[];
  readonly steps: PipelineSteps;
  readonly communityDefaults: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  /** The config layering of src/config; defaults to a plain key-by-key overlay. */
  readonly effectiveConfig?: (defaults: CommunityConfig, overrides: CommunityOverrides) => CommunityConfig;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly clock?: Clock;
  readonly pools: RuntimePools;
  /** Per-group filter deadline inside a check (default 4,000 ms). */
  readonly filterDeadlineMs?: number;
  /** Upper bound on one checkEvent call, whatever happens inside (default 5,000 ms, decisions §5.4). */
  readonly checkTimeoutMs?: number;
  /** Idle time before a room actor stops (default 10 minutes). */
  readonly roomIdleMs?: number;
  /** How often expired hellbans are swept from memory (default 30 s; reads never see an expired ban anyway). */
  readonly hellbanSweepMs?: number;
  /** First retry delay of a failed verdict write (default 1,000 ms, doubling). */
  readonly verdictRetryMs?: number;
  readonly buckets?: { readonly communities?: number; readonly rooms?: number; readonly timeouts?: number };
  readonly runModerationJob?: (job: ModerationJob) => Promise<void>;
  readonly runWebhookJob?: (job: WebhookJob) => Promise<void>;
  /** Cross-process rate counters (src/rate/shared-rate-counter.ts); without them the rate filters count nothing. */
  readonly rates?: RateReader & {
    record(communityId: string, sender: string, kind: RateKind, at: number, amount: number): void;
  };
}

/** One check as the HTTP layer asks for it. */
export interface CheckRequest {
  readonly event: FilterEvent;
  readonly communityId: string;
  /** Room facts the caller already holds; otherwise the room actor supplies them. */
  readonly roomFacts?: RoomFacts;
}

/**
 * The answer to a check. `cached` means no filter ran (stored verdict). `overloaded` maps to 429 M_LIMIT_EXCEEDED;
 * `unavailable` (unknown community, store down for an unloaded community, timeout, shutdown) to an error response.
 * A verdict whose `failure` is set came from a failed filter: answered as upstream does, never stored, no effects.
 */
export type CheckOutcome =
  | { readonly type: "verdict"; readonly verdict: Verdict; readonly cached: boolean }
  | { readonly type: "overloaded" }
  | { readonly type: "unavailable"; readonly reason: string };

export interface PolicyRuntime {
  checkEvent(request: CheckRequest): Promise<CheckOutcome>;
  /**
   * Starts looking up the stored verdict of an event that is about to be checked, so the database round trip
   * overlaps the caller's own work (signature verification). Optional to call; a later checkEvent uses the answer.
   */
  prefetchVerdict(eventId: string): void;
  /** Rebuilds a community's config and plan from the store (config changed here or announced by NOTIFY). */
  reloadCommunity(communityId: string): Promise<Result<void, string>>;
  /** Replaces a room's learned facts (and saves them). */
  learnRoomState(roomId: string, facts: RoomFacts): Promise<Result<void, string>>;
  /** Another process hellbanned someone: load that ban from the store. */
  hellbanNotified(communityId: string, userId: string): Promise<Result<void, string>>;
  /** Resolves once the active hellbans were loaded at start (the count), or the load failed. */
  readonly ready: Promise<Result<number, string>>;
  readonly moderation: WorkerPool<ModerationJob>;
  readonly webhooks: WorkerPool<WebhookJob>;
  stats(): RuntimeStats;
  /** Refuses new checks, waits for in-flight ones and verdict writes (each bounded by `timeoutMs`), stops nact. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts nact and the supervision tree of architecture.md, and returns the runtime's API. */
export function startPolicyRuntime(deps: PolicyRuntimeDeps): PolicyRuntime {
  const clock = trackedClock(deps.clock ?? systemClock);
  const logger = deps.logger.child({ component: "actors" });
  const metrics = createRuntimeMetrics(deps.metrics);
  const onCrashCounted = (kind: string): void => metrics.actorCrashes.inc({ kind });
  const checkTimeoutMs = deps.checkTimeoutMs ?? 5_000;
  const system = start();

  const filtersSupervisor = spawn(system, (s: null) => s, "filters", { initialState: null });
  const pool = spawnFilterPool({
    parent: filtersSupervisor,
    registry: deps.registry,
    ioPoolSize: deps.pools.filterIo ?? defaultFilterWorkers(deps.pools.processing),
    cpuPoolSize: deps.pools.filterCpu ?? defaultFilterWorkers(deps.pools.processing),
    logger,
    onCrashCounted,
  });

  const hellbanIndex = new HellbanIndex();
  const senderOnCrash = senderTimeoutSupervision(logger, onCrashCounted);
  let senderActors = 0;
  const sweepMs = deps.hellbanSweepMs ?? 30_000;
  const sweep = (): void => {
    hellbanIndex.sweep(clock.now());
    clock.setTimeout(sweep, sweepMs);
  };
  clock.setTimeout(sweep, sweepMs);
  /** A ban read from the store: the store's expiry is the truth, and there is nothing to write, so no actor. */
  const adoptBan = (communityId: string, userId: string, expiresAt: number): void => {
    if (expiresAt > clock.now()) hellbanIndex.set(communityId, userId, expiresAt);
  };
  const timeouts = spawnKeyedSupervisor<SenderTimeoutCommand>({
    parent: system,
    name: "timeouts",
    childPrefix: "sender",
    buckets: deps.buckets?.timeouts ?? 1024,
    logger,
    onCrashCounted,
    spawnChild: (bucket, name, key) => {
      const [communityId = "", userId = ""] = key.split("\u0000");
      return spawnSenderTimeout(bucket, name, communityId, userId, {
        store: deps.ports.hellbans,
        index: hellbanIndex,
        clock,
        logger,
        onCrash: senderOnCrash,
        onStarted: () => senderActors++,
        onStopped: () => senderActors--,
      });
    },
    memoizeNames: false,
  });
  const tellTimeout = (communityId: string, userId: string, command: SenderTimeoutCommand): void =>
    timeouts.deliver(hellbanKey(communityId, userId), command);

  // Room facts published by the room actors; a check takes them from here and asks the actor only on a miss.
  const publishedRooms = new Map<string, RoomFacts>();
  const rooms = spawnKeyedSupervisor<RoomStateCommand>({
    parent: system,
    name: "rooms",
    childPrefix: "room",
    buckets: deps.buckets?.rooms ?? 256,
    logger,
    onCrashCounted,
    spawnChild: (bucket, name, roomId) =>
      spawnRoomState(bucket, name, roomId, {
        store: deps.ports.rooms,
        idleMs: deps.roomIdleMs ?? 10 * 60_000,
        logger,
        onCrashCounted,
        published: publishedRooms,
      }),
  });

  const session: SessionEnvironment = {
    steps: deps.steps,
    pool,
    clock,
    hellbans: hellbanIndex,
    ...(deps.rates === undefined ? {} : { rates: deps.rates }),
    trust: deps.ports.trust,
    askRoomFacts: (roomId, reply) => rooms.deliver(roomId, { type: "GetRoomFacts", reply }),
    deadlineMs: deps.filterDeadlineMs ?? 4_000,
    onFilterError: (filter) => metrics.filterErrors.inc({ filter }),
    onCrash: checkSessionSupervision(logger, onCrashCounted),
  };
  const communityEnv: CommunityEnvironment = {
    configs: deps.ports.communities,
    templates: deps.ports.keywordTemplates,
    defaults: deps.communityDefaults,
    instance: deps.instance,
    registry: deps.registry,
    steps: deps.steps,
    effectiveConfig: deps.effectiveConfig ?? overlayConfig,
    session,
    logger,
    onCrashCounted,
    planCache: new Map(),
    crashWindows: new Map(),
  };
  const communities = spawnKeyedSupervisor<CommunityCommand>({
    parent: system,
    name: "communities",
    childPrefix: "community",
    buckets: deps.buckets?.communities ?? 256,
    logger,
    onCrashCounted,
    spawnChild: (bucket, name, communityId, stopped) => spawnCommunity(bucket, name, communityId, communityEnv, stopped),
    // Community actors stop only by our decision (crash loop, shutdown), so checks can skip the bucket hop.
    direct: true,
  });

  const moderation = spawnWorkerPool<ModerationJob>({
    parent: system,
    name: "moderation",
    size: deps.pools.moderation,
    queueBound: deps.pools.jobQueue ?? 1_000,
    run: deps.runModerationJob ?? notYet("moderation"),
    logger,
    onCrashCounted,
  });
  const webhooks = spawnWorkerPool<WebhookJob>({
    parent: system,
    name: "webhooks",
    size: deps.pools.webhooks,
    queueBound: deps.pools.jobQueue ?? 1_000,
    run: deps.runWebhookJob ?? notYet("webhook"),
    logger,
    onCrashCounted,
  });

  const admission = new Admission(deps.pools.processing, deps.pools.processingQueue ?? deps.pools.processing * 10);
  const writer = new VerdictWriter(deps.ports.verdicts, clock, logger, { retryMs: deps.verdictRetryMs ?? 1_000 });
  const inFlight = new Map<string, Promise<CheckOutcome>>();
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const shutdown = async (timeoutMs: number): Promise<void> => {
    stopping = true;
    await boundedWait(Promise.allSettled([...inFlight.values()]), timeoutMs);
    await writer.flush(timeoutMs);
    writer.close();
    // Leaves first: nact's stop does not reach nested children, so each keyed supervisor stops its own.
    await boundedWait(
      Promise.all([communities.stopChildren(), rooms.stopChildren(), timeouts.stopChildren()]),
      timeoutMs,
    );
    clock.clearAll();
    stopActor(system as Ref<unknown>);
  };

  const ready = deps.ports.hellbans.listActive(clock.now()).then(
    (rows) => {
      if (!rows.ok) {
        logger.error({ reason: rows.error }, "active hellbans could not be loaded at start");
        return err(rows.error);
      }
      for (const row of rows.value) adoptBan(row.communityId, row.userId, row.expiresAt);
      return ok(rows.value.length);
    },
    (error: unknown) => err(String(error)),
  );

  // Checks routed in one event-loop turn travel to their community together: a community actor takes one message
  // per turn, so one message per check would cap a busy community at one check per turn.
  const routing = new Map<string, CommunityCheck[]>();
  let routingScheduled = false;
  const sendRouted = (): void => {
    routingScheduled = false;
    for (const [communityId, checks] of routing) communities.deliver(communityId, checkEventsCommand(checks));
    routing.clear();
  };

  const routeCheck = (request: CheckRequest): Promise<SessionOutcome> => {
    const answer = deferred<SessionOutcome>();
    const timer = clock.setTimeout(
      () => answer.resolve({ type: "unavailable", reason: `check did not complete within ${checkTimeoutMs} ms` }),
      checkTimeoutMs,
    );
    const check: CommunityCheck = {
      event: request.event,
      roomFacts: request.roomFacts ?? publishedRooms.get(request.event.roomId),
      reply: (outcome) => {
        clock.clearTimeout(timer);
        answer.resolve(outcome);
      },
    };
    const batch = routing.get(request.communityId);
    if (batch === undefined) routing.set(request.communityId, [check]);
    else batch.push(check);
    if (!routingScheduled) {
      routingScheduled = true;
      setImmediate(sendRouted);
    }
    return answer.promise;
  };

  const applyVerdict = (request: CheckRequest, verdict: Verdict): void => {
    // A failed check is answered but neither stored nor acted on: an outage or a bug never hellbans anyone.
    if (verdict.failure) return;
    writer.enqueue(request.event.eventId, verdict);
    for (const effect of verdict.effects) {
      // A running ban is never extended, so a banned sender's repeated spam costs no actor.
      if (effect.type === "hellban" && !hellbanIndex.isBanned(request.communityId, effect.sender, clock.now())) {
        tellTimeout(request.communityId, effect.sender, { type: "Hellban", minutes: effect.minutes });
      }
      if (effect.type === "rate")
        deps.rates?.record(request.communityId, effect.sender, effect.kind, effect.at, effect.amount);
    }
  };

  // Look-ups started by prefetchVerdict, taken by the next check of that event. Bounded: an entry nobody takes
  // (the request was refused after parsing) is dropped after a few seconds or when the map is full.
  const prefetched = new Map<
    string,
    { readonly lookup: Promise<Result<Verdict | undefined, string>>; readonly at: number }
  >();
  const PREFETCH_LIMIT = 10_000;
  const PREFETCH_TTL_MS = 5_000;
  const prefetchVerdict = (eventId: string): void => {
    if (stopping || prefetched.has(eventId) || inFlight.has(eventId) || writer.pending(eventId)) return;
    const now = clock.now();
    if (prefetched.size >= PREFETCH_LIMIT) {
      for (const [id, entry] of prefetched) {
        if (now - entry.at < PREFETCH_TTL_MS && prefetched.size < PREFETCH_LIMIT) break;
        prefetched.delete(id);
      }
    }
    prefetched.set(eventId, { lookup: deps.ports.verdicts.get(eventId), at: now });
  };

  const runCheck = async (request: CheckRequest): Promise<CheckOutcome> => {
    const eventId = request.event.eventId;
    const unwritten = writer.pending(eventId);
    if (unwritten) return { type: "verdict", verdict: unwritten, cached: true };
    const prefetch = prefetched.get(eventId);
    prefetched.delete(eventId);
    const stored = await (prefetch?.lookup ?? deps.ports.verdicts.get(eventId));
    if (stored.ok && stored.value) return { type: "verdict", verdict: stored.value, cached: true };
    if (!stored.ok) logger.warn({ reason: stored.error }, "stored verdict lookup failed; checking afresh");
    const admitted = admission.acquire();
    if (admitted === false) return { type: "overloaded" };
    if (admitted !== true) await admitted;
    try {
      const outcome = await routeCheck(request);
      if (outcome.type === "unavailable") return outcome;
      applyVerdict(request, outcome.verdict);
      return { type: "verdict", verdict: outcome.verdict, cached: false };
    } finally {
      admission.release();
    }
  };

  const label = (outcome: CheckOutcome): CheckOutcomeLabel => {
    if (outcome.type !== "verdict") return outcome.type;
    if (outcome.cached) return "cached";
    if (outcome.verdict.failure) return "failure";
    return outcome.verdict.spam ? "spam" : "ok";
  };

  return {
    ready,
    moderation,
    webhooks,
    prefetchVerdict,
    checkEvent(request) {
      if (stopping) return Promise.resolve({ type: "unavailable", reason: "the runtime is shutting down" });
      const eventId = request.event.eventId;
      const running = inFlight.get(eventId);
      if (running) return running;
      const startedAt = performance.now();
      const outcome = runCheck(request).then(
        (result) => result,
        (error: unknown): CheckOutcome => {
          logger.error({ err: error }, "check failed unexpectedly");
          return { type: "unavailable", reason: "internal error while checking" };
        },
      );
      const recorded = outcome.then((result) => {
        inFlight.delete(eventId);
        const outcomeLabel = label(result);
        metrics.checks.inc({ outcome: outcomeLabel });
        metrics.checkDuration.observe({ outcome: outcomeLabel }, (performance.now() - startedAt) / 1000);
        return result;
      });
      inFlight.set(eventId, recorded);
      return recorded;
    },
    reloadCommunity(communityId) {
      const answer = deferred<Result<void, string>>();
      communities.deliver(communityId, reloadConfigCommand(answer.resolve));
      return answer.promise;
    },
    learnRoomState(roomId, facts) {
      const answer = deferred<Result<void, string>>();
      rooms.deliver(roomId, { type: "LearnState", facts, reply: answer.resolve });
      return answer.promise;
    },
    async hellbanNotified(communityId, userId) {
      const row = await deps.ports.hellbans.getActive(communityId, userId, clock.now());
      if (!row.ok) return err(row.error);
      if (row.value) adoptBan(communityId, userId, row.value.expiresAt);
      return ok(undefined);
    },
    stats: () => ({
      inFlight: admission.active,
      queued: admission.queued,
      hellbans: hellbanIndex.size,
      senderActors,
      unwrittenVerdicts: writer.size,
    }),
    stop(timeoutMs = 5_000) {
      stopped ??= shutdown(timeoutMs);
      return stopped;
    },
  };
}

/**
 * Workers per filter kind. An actor takes one message per event-loop turn, so with w workers a filter serves at most
 * w checks per turn; under load a turn lasts a millisecond or more (it carries the HTTP and database I/O), and with
 * 4 workers the prefilter queue alone measured 48 ms of a 74 ms check at 530 checks/s. A quarter of the checks
 * allowed in flight keeps the queue behind each worker to a few messages; idle workers cost about a kilobyte each.
 */
export function defaultFilterWorkers(processing: number): number {
  return Math.max(8, Math.ceil(processing / 4));
}

function notYet(pool: string): () => Promise<void> {
  return () => Promise.reject(new Error(`${pool} jobs are not implemented yet`));
}

function boundedWait(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
