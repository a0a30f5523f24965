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
  | { readonly type: "RetryStore"; readonly generation: number }
  | { readonly type: "Expire"; readonly generation: number };
type SenderMessage = SenderTimeoutCommand | Internal;

export interface SenderTimeoutEnvironment {
  readonly store: HellbanPort;
  readonly index: HellbanIndex;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
  /** Delay before retrying a failed store write; doubled per attempt up to a minute. */
  readonly retryMs?: number;
}

interface SenderState {
  expiresAt: number | undefined;
  storeAttempts: number;
}

/**
 * Spawns the timeout of one sender in one community. The ban takes effect in memory at once (the index) and is
 * written to the store, which every process shares; when the store answers with an earlier ban (another process was
 * first), the store wins. The actor expires itself by a generation-tagged timer and stops, so only senders in
 * hellban have an actor. A running ban is never extended by new spam.
 */
export function spawnSenderTimeout(
  parent: Ref<unknown>,
  name: string,
  communityId: string,
  userId: string,
  env: SenderTimeoutEnvironment,
): Ref<SenderTimeoutCommand> {
  const expiry = new GenerationTimer(env.clock);
  const retry = new GenerationTimer(env.clock);
  const baseRetryMs = env.retryMs ?? 1_000;

  const setExpiry = (self: Ref<SenderMessage>, state: SenderState, expiresAt: number): void => {
    state.expiresAt = expiresAt;
    env.index.set(communityId, userId, expiresAt);
    expiry.arm<SenderMessage>(self, Math.max(0, expiresAt - env.clock.now()), (generation) => ({ type: "Expire", generation }));
  };

  const writeBan = (self: Ref<SenderMessage>, expiresAt: number): void => {
    env.store.ban(communityId, userId, expiresAt, env.clock.now()).then(
      (result) => tell(self, { type: "BanStored", expiresAt, result }),
      (error: unknown) => tell(self, { type: "BanStored", expiresAt, result: { ok: false, error: String(error) } }),
    );
  };

  const handle = (state: SenderState, msg: SenderMessage, ctx: { self: Ref<SenderMessage> }): SenderState => {
    const now = env.clock.now();
    switch (msg.type) {
      case "Hellban": {
        if (state.expiresAt !== undefined && state.expiresAt > now) return state;
        if (!(msg.minutes > 0)) return state;
        setExpiry(ctx.self, state, now + msg.minutes * 60_000);
        state.storeAttempts = 0;
        writeBan(ctx.self, state.expiresAt as number);
        return state;
      }
      case "AdoptBan":
        if (msg.expiresAt > now) setExpiry(ctx.self, state, msg.expiresAt);
        else if (state.expiresAt === undefined) finish(ctx.self);
        return state;
      case "BanStored":
        if (msg.expiresAt !== state.expiresAt) return state;
        if (msg.result.ok) {
          if (msg.result.value.expiresAt !== state.expiresAt) setExpiry(ctx.self, state, msg.result.value.expiresAt);
          return state;
        }
        // The ban stays in force here; the row is written when the store is back (decisions §5.4).
        env.logger.warn({ communityId, reason: msg.result.error }, "hellban could not be stored; retrying");
        state.storeAttempts++;
        retry.arm<SenderMessage>(ctx.self, Math.min(60_000, baseRetryMs * 2 ** (state.storeAttempts - 1)), (generation) => ({
          type: "RetryStore",
          generation,
        }));
        return state;
      case "RetryStore":
        if (retry.isCurrent(msg.generation) && state.expiresAt !== undefined && state.expiresAt > now) {
          writeBan(ctx.self, state.expiresAt);
        }
        return state;
      case "Expire":
        if (!expiry.isCurrent(msg.generation)) return state;
        if (state.expiresAt !== undefined && state.expiresAt > now) {
          setExpiry(ctx.self, state, state.expiresAt);
          return state;
        }
        state.expiresAt = undefined;
        env.index.delete(communityId, userId);
        finish(ctx.self);
        return state;
      default:
        return assertNever(msg, "sender-timeout message");
    }
  };

  const finish = (self: Ref<SenderMessage>): void => {
    expiry.cancel();
    retry.cancel();
    stop(self);
  };

  return spawn(parent, handle, name, {
    initialStateFunc: () => ({ expiresAt: undefined, storeAttempts: 0 }),
    afterStop: () => {
      expiry.cancel();
      retry.cancel();
    },
    onCrash: supervisionPolicy<SenderMessage>({
      kind: "sender-timeout",
      logger: env.logger,
      onCrashCounted: env.onCrashCounted,
      // The ban's truth is the index entry and the store row, so a reset loses nothing that decides a verdict.
      decide: () => "resume",
    }),
  }) as Ref<SenderTimeoutCommand>;
}
