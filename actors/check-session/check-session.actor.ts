import { spawn, stop, type Ref } from "nact";
import type { FilterInput, FilterOutcome, FilterServices, RateReader, RoomFacts } from "../../src/filters/types.js";
import type { PlannedGroup } from "../../src/pipeline/types.js";
import { assertNever, err, type Result } from "../../src/result.js";
import type { Clock, TimerHandle } from "../kernel/clock.js";
import { replyOnce, type Reply } from "../kernel/reply.js";
import { tell } from "../kernel/tell.js";
import { runFilter, type FilterPool } from "../filter-worker/filter-worker.protocol.js";
import type { GroupResult, PipelineSteps, StepState } from "../pipeline-steps.js";
import type { TrustPort } from "../ports.js";
import type { HellbanIndex } from "../sender-timeout/hellban-index.js";
import type { CheckSessionMessage, SessionOutcome, SessionRequest } from "./check-session.protocol.js";
import { GroupReplies } from "./group-replies.js";

/** What every session of a runtime shares. */
export interface SessionEnvironment {
  readonly steps: PipelineSteps;
  readonly pool: FilterPool;
  readonly clock: Clock;
  readonly hellbans: HellbanIndex;
  /** Cross-process rate counters read by the frequency filters (src/rate). */
  readonly rates?: RateReader;
  readonly trust: TrustPort;
  /** Asks the room actor for the room's learned facts. */
  readonly askRoomFacts: (roomId: string, reply: Reply<Result<RoomFacts, string>>) => void;
  /** After this long, filters that have not answered become failures (a hung I/O filter, decisions §5.4). */
  readonly deadlineMs: number;
  readonly onFilterError: (filterName: string) => void;
  readonly onCrash: (msg: CheckSessionMessage | undefined, error: unknown, ctx: unknown) => symbol;
}

/** The room facts of a room nobody has learned yet: no members, default power levels unknown. */
export const EMPTY_ROOM_FACTS: RoomFacts = Object.freeze({ members: [], powerLevels: undefined, creators: undefined });

interface SessionState {
  self: Ref<CheckSessionMessage> | undefined;
  input: FilterInput | undefined;
  pipeline: StepState;
  groupIndex: number;
  group: PlannedGroup | undefined;
  replies: GroupReplies | undefined;
  deadline: TimerHandle | undefined;
  abort: AbortController | undefined;
  services: FilterServices;
  finished: boolean;
}

/**
 * Spawns the per-check session (Akka's per-session child): it walks the plan's groups with the pure step functions,
 * sends one RunFilter per enabled filter of the current group, takes the group's answers as one GroupReplied
 * message (group-replies.ts), and replies exactly once, then stops. The community that spawns it returns to its
 * mailbox at once, so a slow filter delays only its own check.
 */
export function spawnCheckSession(
  parent: Ref<unknown>,
  name: string,
  request: SessionRequest,
  env: SessionEnvironment,
): Ref<CheckSessionMessage> {
  const reply = replyOnce<SessionOutcome>(request.reply);
  const state: SessionState = {
    self: undefined,
    input: undefined,
    pipeline: undefined,
    groupIndex: 0,
    group: undefined,
    replies: undefined,
    deadline: undefined,
    abort: undefined,
    services: env.rates === undefined ? {} : { rates: env.rates },
    finished: false,
  };

  const finishWith = (outcome: SessionOutcome): void => {
    if (state.finished) return;
    state.finished = true;
    if (state.deadline !== undefined) env.clock.clearTimeout(state.deadline);
    state.abort?.abort();
    state.replies?.close();
    reply(outcome);
    if (state.self) stop(state.self);
  };

  const finish = (): void => {
    finishWith({ type: "verdict", verdict: env.steps.finishPipeline(state.pipeline, request.config.spam_threshold) });
  };

  /** Runs groups from `state.groupIndex` until one has filters to wait for, or the plan ends. */
  const advance = (self: Ref<CheckSessionMessage>): void => {
    const groups = request.plan.groups;
    const input = state.input as FilterInput;
    while (state.groupIndex < groups.length) {
      const group = groups[state.groupIndex] as PlannedGroup;
      if (group.filters.length === 0 || !env.steps.groupShouldRun(group, state.pipeline)) {
        state.groupIndex++;
        continue;
      }
      state.group = group;
      // Filters that cannot apply to this event get their Neutral here, without a message to their actor.
      const known = group.filters.map((filter) => env.steps.outcomeWithoutRunning(filter, input));
      if (known.every((outcome) => outcome !== undefined)) {
        completeGroup(self, known);
        return;
      }
      const index = state.groupIndex;
      const replies = new GroupReplies(group.filters.length, (outcomes) =>
        tell(self, { type: "GroupReplied", group: index, outcomes }),
      );
      state.replies = replies;
      group.filters.forEach((filter, slot) => {
        const answer = (outcome: FilterOutcome): void => replies.answer(slot, outcome);
        const skipped = known[slot];
        if (skipped !== undefined) {
          answer(skipped);
          return;
        }
        const worker = env.pool.workerFor(filter.name);
        if (!worker) {
          answer(err({ filter: filter.name, message: "no worker for this filter (not in the runtime's registry)" }));
          return;
        }
        if (filter.io && !state.abort) {
          state.abort = new AbortController();
          state.services = { ...state.services, signal: state.abort.signal };
        }
        runFilter(worker, filter, input, state.services, answer);
      });
      return;
    }
    finish();
  };

  const completeGroup = (self: Ref<CheckSessionMessage>, outcomes: readonly (FilterOutcome | undefined)[]): void => {
    const group = state.group as PlannedGroup;
    // Built from the plan, not from `outcomes` (a sparse array whose holes map() would skip).
    const results = group.filters.map((filter, slot): GroupResult => {
      const outcome = outcomes[slot];
      if (outcome === undefined) return missing(filter.name, env.deadlineMs);
      if (!outcome.ok) env.onFilterError(filter.name);
      return { filter: filter.name, outcome };
    });
    state.pipeline = env.steps.applyGroupResults(state.pipeline, group, results);
    state.group = undefined;
    state.replies = undefined;
    state.groupIndex++;
    // A failed filter fails its group and the check stops there (filters.md §1.6): no later group runs.
    if (results.some((r) => !r.outcome.ok)) finish();
    else advance(self);
  };

  const start = (self: Ref<CheckSessionMessage>, room: RoomFacts): void => {
    const now = env.clock.now();
    state.input = {
      event: request.event,
      config: request.config,
      instance: request.instance,
      room,
      banRules: env.trust.banRules(),
      muninnServers: env.trust.muninnServers(),
      keywordTemplates: request.keywordTemplates,
      senderHellbanned: env.hellbans.isBanned(request.communityId, request.event.sender, now),
      now,
      communityId: request.communityId,
    };
    state.pipeline = env.steps.startPipeline();
    advance(self);
  };

  const handle = (s: SessionState, msg: CheckSessionMessage): SessionState => {
    if (s.finished || !s.self) return s;
    switch (msg.type) {
      case "GroupReplied":
        // A group the deadline already closed has moved on; its late answers are dropped.
        if (s.group && msg.group === s.groupIndex) completeGroup(s.self, msg.outcomes);
        return s;
      case "RoomFactsLoaded":
        if (s.input) return s;
        if (!msg.facts.ok) finishWith({ type: "unavailable", reason: `room state unavailable: ${msg.facts.error}` });
        else start(s.self, msg.facts.value);
        return s;
      case "DeadlineReached":
        if (s.group && s.replies) {
          // The filters that did not answer become failure values; the verdict then carries the failure.
          const outcomes = s.replies.close();
          s.group.filters.forEach((f, slot) => {
            if (outcomes[slot] === undefined) env.onFilterError(f.name);
          });
          completeGroup(s.self, outcomes);
        } else {
          finishWith({ type: "unavailable", reason: `check did not complete within ${env.deadlineMs} ms` });
        }
        return s;
      default:
        return assertNever(msg, "check session message");
    }
  };

  const ref = spawn(parent, handle, name, {
    initialStateFunc: (ctx) => {
      const self = ctx.self as Ref<CheckSessionMessage>;
      state.self = self;
      state.deadline = env.clock.setTimeout(() => tell(self, { type: "DeadlineReached" }), env.deadlineMs);
      const precheck = env.steps.precheckSender(request.event.sender, request.config.spam_threshold);
      if (precheck) {
        finishWith({ type: "verdict", verdict: precheck });
      } else if (request.roomFacts) {
        start(self, request.roomFacts);
      } else {
        env.askRoomFacts(request.event.roomId, (facts) => tell(self, { type: "RoomFactsLoaded", facts }));
      }
      return state;
    },
    onCrash: env.onCrash,
    afterStop: () => {
      // Stopped by a crash, a community reset or the runtime shutting down: the caller still gets one answer.
      if (!state.finished) {
        state.finished = true;
        if (state.deadline !== undefined) env.clock.clearTimeout(state.deadline);
        state.abort?.abort();
        reply({ type: "unavailable", reason: "check was aborted before it completed" });
      }
    },
  });
  return ref;
}

function missing(filter: string, deadlineMs: number): GroupResult {
  return { filter, outcome: err({ filter, message: `filter did not answer within ${deadlineMs} ms` }) };
}
