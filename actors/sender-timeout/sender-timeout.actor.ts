import { spawn, stop, type Ref } from "nact";
import type { Logger } from "pino";
import { assertNever, type Result } from "../../src/result.js";
import type { Clock } from "../kernel/clock.js";
import { supervisionPolicy } from "../kernel/supervision.js";
import { tell } from "../kernel/tell.js";
import { GenerationTimer } from "../kernel/timers.js";
import type { HellbanPort, HellbanRecord } from "../ports.js";
import type { HellbanIndex } from "./hellban-index.js";
import type { SenderTimeoutCommand } from "./sender-timeout.protocol.js";

type Internal =
  | { readonly type: "BanStored"; readonly expiresAt: number; readonly result: Result<HellbanRecord, string> }
  | { readonly type: "RetryStore"; readonly generation: number };
type SenderMessage = SenderTimeoutCommand | Internal;

export interface SenderTimeoutEnvironment {
  readonly store: HellbanPort;
  readonly index: HellbanIndex;
  readonly clock: Clock;
  readonly logger: Logger;
  /** One policy shared by every sender actor (see senderTimeoutSupervision). */
  readonly onCrash: (msg: unknown, error: unknown, ctx: unknown) => symbol;
  /** Delay before retrying a failed store write; doubled per attempt up to a minute. */
  readonly retryMs?: number;
  readonly onStarted?: () => void;
  readonly onStopped?: () => void;
}

interface SenderState {
  /** The expiry this actor is writing, or undefined when idle. */
  writing: number | undefined;
  attempts: number;
}

/**
 * Spawns the timeout of one sender in one community. A ban takes effect in memory at once (the index, which every
 * check reads) and is written to the store shared by all processes; when the store answers with an earlier ban
 * (another process was first) the store wins. A running ban is never extended. A failed write is retried with
 * back-off until it lands or the ban is over (decisions §5.4). Once the row is written the actor has nothing left to
 * own and stops: expiry is a time comparison in the index (swept by the timeouts subsystem), so 100k banned senders
 * cost 100k index entries, not 100k mailboxes.
 */
export function spawnSenderTimeout(
  parent: Ref<unknown>,
  name: string,
  communityId: string,
  userId: string,
  env: SenderTimeoutEnvironment,
): Ref<SenderTimeoutCommand> {
  const retry = new GenerationTimer(env.clock);
  const baseRetryMs = env.retryMs ?? 1_000;

  const writeBan = (self: Ref<SenderMessage>, expiresAt: number): void => {
    env.store.ban(communityId, userId, expiresAt, env.clock.now()).then(
      (result) => tell(self, { type: "BanStored", expiresAt, result }),
      (error: unknown) => tell(self, { type: "BanStored", expiresAt, result: { ok: false, error: String(error) } }),
    );
  };

  const finish = (self: Ref<SenderMessage>, state: SenderState): SenderState => {
    state.writing = undefined;
    retry.cancel();
    stop(self);
    return state;
  };

  const handle = (state: SenderState, msg: SenderMessage, ctx: { self: Ref<SenderMessage> }): SenderState => {
    const now = env.clock.now();
    switch (msg.type) {
      case "Hellban": {
        if (env.index.isBanned(communityId, userId, now) || !(msg.minutes > 0)) {
          return state.writing === undefined ? finish(ctx.self, state) : state;
        }
        const expiresAt = now + msg.minutes * 60_000;
        env.index.set(communityId, userId, expiresAt);
        state.writing = expiresAt;
        state.attempts = 0;
        writeBan(ctx.self, expiresAt);
        return state;
      }
      case "BanStored":
        if (msg.expiresAt !== state.writing) return state;
        if (msg.result.ok) {
          if (msg.result.value.expiresAt !== msg.expiresAt) env.index.set(communityId, userId, msg.result.value.expiresAt);
          return finish(ctx.self, state);
        }
        // The ban stays in force here; the row is written when the store is back.
        env.logger.warn({ communityId, reason: msg.result.error }, "hellban could not be stored; retrying");
        state.attempts++;
        retry.arm<SenderMessage>(ctx.self, Math.min(60_000, baseRetryMs * 2 ** (state.attempts - 1)), (generation) => ({
          type: "RetryStore",
          generation,
        }));
        return state;
      case "RetryStore":
        if (!retry.isCurrent(msg.generation) || state.writing === undefined) return state;
        if (state.writing <= now) return finish(ctx.self, state);
        writeBan(ctx.self, state.writing);
        return state;
      default:
        return assertNever(msg, "sender-timeout message");
    }
  };

  env.onStarted?.();
  return spawn(parent, handle, name, {
    initialStateFunc: () => ({ writing: undefined, attempts: 0 }),
    afterStop: () => {
      retry.cancel();
      env.onStopped?.();
    },
    onCrash: env.onCrash,
  }) as Ref<SenderTimeoutCommand>;
}

/**
 * Sender actors resume after a crash: the ban's truth is the index entry and the store row, which a failed message
 * cannot have half-written, so the actor's state is still consistent.
 */
export function senderTimeoutSupervision(logger: Logger, onCrashCounted: (kind: string) => void) {
  return supervisionPolicy<unknown>({ kind: "sender-timeout", logger, onCrashCounted, decide: () => "resume" });
}
