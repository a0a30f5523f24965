/**
 * The state-learning queue (federation.md §7.2-§7.4, newer semantics): events from trusted servers queue a refresh
 * of their room's state, and a periodic task fetches `/state` from the sender's server, learns from it and saves
 * the result. At most one item per room waits in `state_learn_queue`; popped items are always learned.
 */
import type { FederationClient } from "../federation/index.js";
import { parseUserId } from "../matrix/index.js";
import type { Verdict } from "../pipeline/types.js";
import { err, ok, type Result } from "../result.js";
import type { RoomsRepo } from "../storage/rooms.repo.js";
import type { StateLearnItem, StateLearnQueueRepo } from "../storage/state-learn-queue.repo.js";
import { isLearnableEvent, learnRoomState, type LearnablePdu } from "./learn-state.js";
import type { OnLearned, RoomsLogger } from "./ports.js";

/** An event whose verdict is known, as the learner needs it. */
export interface LearningTrigger {
  readonly pdu: LearnablePdu & { readonly eventId: string; readonly roomId: string };
  readonly roomVersion: string;
  readonly verdict: Pick<Verdict, "spam" | "failure">;
}

export interface StateLearningConfig {
  /** `PS_TRUSTED_ORIGINS`: only events whose sender's server is listed trigger learning, and only they are asked. */
  readonly trustedOrigins: readonly string[];
  /** `PS_STATE_CACHE_MINUTES`: learned state is fresh this long. */
  readonly stateCacheMinutes: number;
  /** `PS_STATE_CACHE_INTERVAL_MINUTES`: how often the queue is drained (±10 %); 0 or less means 60. */
  readonly stateCacheIntervalMinutes: number;
}

export interface StateLearningDeps {
  readonly client: Pick<FederationClient, "getState">;
  readonly repos: {
    readonly rooms: Pick<RoomsRepo, "get" | "setLastStateUpdate">;
    readonly stateLearnQueue: Pick<StateLearnQueueRepo, "push" | "popDue">;
  };
  readonly config: StateLearningConfig;
  readonly now: () => number;
  readonly logger: RoomsLogger;
  readonly onLearned: OnLearned;
  /** Uniform [0, 1); injectable so the schedule's jitter is testable. */
  readonly random?: () => number;
  /** How long a queued item waits, so the remote server has finished with the event. Default 2 min (upstream). */
  readonly queueDelayMs?: number;
  /** When learning fails the item is queued again this much later. Default 5 min. */
  readonly retryDelayMs?: number;
  /** The first drain runs after a random delay up to this. Default 9 s (upstream's 0-9 s). */
  readonly firstRunMaxDelayMs?: number;
  /** Items learned per drain at most, so a flood of rooms cannot keep one run going for ever. Default 1000. */
  readonly maxItemsPerRun?: number;
}

/** Why an event did or did not queue learning; the reasons are for logs and tests. */
export type QueueDecision =
  | { readonly queue: true; readonly via: string }
  | { readonly queue: false; readonly reason: "prohibited" | "failed" | "untrusted_sender" | "fresh" };

/**
 * The §7.2 rule (newer semantics) for one event of a room we protect: the verdict is neither prohibited nor a
 * failure, the sender's server is exactly one of the trusted origins (the request's origin is irrelevant), and the
 * room's state is stale or the event itself is learnable.
 */
export function learningDecision(
  trigger: LearningTrigger,
  lastStateUpdateTs: number,
  config: Pick<StateLearningConfig, "trustedOrigins" | "stateCacheMinutes">,
  now: number,
): QueueDecision {
  if (trigger.verdict.failure !== undefined) return { queue: false, reason: "failed" };
  if (trigger.verdict.spam) return { queue: false, reason: "prohibited" };
  const sender = parseUserId(trigger.pdu.sender);
  if (!sender.ok || !config.trustedOrigins.includes(sender.value.serverName)) {
    return { queue: false, reason: "untrusted_sender" };
  }
  const stale = now - lastStateUpdateTs >= config.stateCacheMinutes * 60_000;
  if (!stale && !isLearnableEvent(trigger.pdu, trigger.roomVersion)) return { queue: false, reason: "fresh" };
  return { queue: true, via: sender.value.serverName };
}

/** The running learner: the queueing side for the check paths and the periodic drain. */
export interface StateLearner {
  /**
   * Queues learning for the event's room when `learningDecision` says so. Resolves to whether an item was queued
   * (false also when the room already had one waiting); `err` only for storage failures.
   */
  considerEvent(trigger: LearningTrigger): Promise<Result<boolean, string>>;
  /** Drains the due items now (joins a drain already under way); resolves to how many rooms were learned. */
  runOnce(): Promise<number>;
  /** Starts the periodic drain: once shortly after start, then every interval ±10 %. */
  start(): void;
  /** Stops the schedule and waits for a drain under way. */
  stop(): Promise<void>;
}

/** Creates the learner; nothing runs until `start()` or `runOnce()`. */
export function createStateLearner(deps: StateLearningDeps): StateLearner {
  const random = deps.random ?? Math.random;
  const queueDelay = deps.queueDelayMs ?? 2 * 60_000;
  const retryDelay = deps.retryDelayMs ?? 5 * 60_000;
  const maxItems = deps.maxItemsPerRun ?? 1000;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /**
   * Per room, what saves a database read on every check: the newest learning time seen (it only moves forward, so
   * a room seen fresh stays fresh until that time plus PS_STATE_CACHE_MINUTES) and until when the item we queued
   * certainly still waits (it cannot be popped before its after_ts).
   */
  const memo = new Map<string, { lastStateUpdateTs: number; queuedUntil: number }>();
  const remember = (roomId: string, lastStateUpdateTs: number): void => {
    const seen = memo.get(roomId);
    if (seen === undefined) memo.set(roomId, { lastStateUpdateTs, queuedUntil: 0 });
    else seen.lastStateUpdateTs = Math.max(seen.lastStateUpdateTs, lastStateUpdateTs);
  };

  const learnItem = async (item: StateLearnItem): Promise<Result<string, string>> => {
    const room = await deps.repos.rooms.get(item.roomId);
    if (!room.ok) return err(room.error.message);
    if (room.value === null) return ok("room is no longer protected; dropped");
    const state = await deps.client.getState(item.via, item.roomId, item.atEventId);
    if (!state.ok) return err(`fetching state from ${item.via}: ${state.error.message}`);
    const learned = learnRoomState(state.value.pdus, room.value.roomVersion, item.roomId);
    if (!learned.ok) return err(learned.error);
    if (learned.value.skipped.length > 0) {
      deps.logger.debug(
        { roomId: item.roomId, skipped: learned.value.skipped.length, first: learned.value.skipped.slice(0, 5) },
        "state events skipped while learning",
      );
    }
    const saved = await deps.onLearned(item.roomId, learned.value.facts, learned.value.banRules);
    if (!saved.ok) return err(`saving learned state: ${saved.error}`);
    const learnedAt = deps.now();
    const bumped = await deps.repos.rooms.setLastStateUpdate(item.roomId, learnedAt);
    if (!bumped.ok) return err(`recording the learning time: ${bumped.error.message}`);
    remember(item.roomId, learnedAt);
    return ok(`learned ${learned.value.facts.members.length} members, ${learned.value.banRules.length} ban rules`);
  };

  const drain = async (): Promise<number> => {
    let learned = 0;
    for (let i = 0; i < maxItems && !stopped; i++) {
      const popped = await deps.repos.stateLearnQueue.popDue(deps.now());
      if (!popped.ok) {
        deps.logger.warn({ error: popped.error.message }, "could not read the state-learning queue");
        break;
      }
      const item = popped.value;
      if (item === null) break;
      const result = await learnItem(item).catch((error: unknown) => err(`learning crashed: ${String(error)}`));
      if (result.ok) {
        learned++;
        deps.logger.info({ roomId: item.roomId, via: item.via, result: result.value }, "room state learned");
        continue;
      }
      // The pop already removed the row; queue it again later so a failing server is not asked in a loop.
      deps.logger.warn({ roomId: item.roomId, via: item.via, error: result.error }, "room state learning failed; will retry");
      const requeued = await deps.repos.stateLearnQueue.push({ ...item, afterTs: deps.now() + retryDelay });
      if (!requeued.ok) deps.logger.warn({ roomId: item.roomId, error: requeued.error.message }, "could not requeue state learning");
    }
    return learned;
  };

  const runOnce = (): Promise<number> => {
    running ??= drain()
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, "state-learning run crashed");
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(intervalMs(deps.config.stateCacheIntervalMinutes, random)));
    }, delayMs);
    // A background refresh alone must not keep the process alive; stop() is the orderly way out.
    timer.unref();
  };

  return {
    async considerEvent(trigger) {
      const roomId = trigger.pdu.roomId;
      const now = deps.now();
      // What the event alone decides (verdict, sender) needs no read: judge it as if the room were fresh.
      const alone = learningDecision(trigger, now, deps.config, now);
      if (!alone.queue && alone.reason !== "fresh") return ok(false);
      const seen = memo.get(roomId);
      if (seen !== undefined) {
        if (now < seen.queuedUntil) return ok(false);
        if (!learningDecision(trigger, seen.lastStateUpdateTs, deps.config, now).queue) return ok(false);
      }
      const room = await deps.repos.rooms.get(roomId);
      if (!room.ok) return err(room.error.message);
      if (room.value === null) return ok(false);
      remember(roomId, room.value.lastStateUpdateTs);
      const decision = learningDecision(trigger, room.value.lastStateUpdateTs, deps.config, now);
      if (!decision.queue) return ok(false);
      const afterTs = now + queueDelay;
      const pushed = await deps.repos.stateLearnQueue.push({ roomId, atEventId: trigger.pdu.eventId, via: decision.via, afterTs });
      if (!pushed.ok) return err(pushed.error.message);
      const entry = memo.get(roomId);
      if (pushed.value && entry !== undefined) entry.queuedUntil = Math.max(entry.queuedUntil, afterTs);
      return ok(pushed.value);
    },
    runOnce,
    start() {
      stopped = false;
      if (timer !== undefined) return;
      schedule(Math.floor(random() * (deps.firstRunMaxDelayMs ?? 9_000)));
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The drain interval: `PS_STATE_CACHE_INTERVAL_MINUTES` (0 or less means 60) with ±10 % random jitter. */
export function intervalMs(minutes: number, random: () => number): number {
  const base = (minutes > 0 ? minutes : 60) * 60_000;
  return Math.round(base * (0.9 + 0.2 * random()));
}
