import { spawn, type Ref } from "nact";
import type { Logger } from "pino";
import type { RoomFacts } from "../../src/filters/types.js";
import { assertNever, err, ok, type Result } from "../../src/result.js";
import { EMPTY_ROOM_FACTS } from "../check-session/check-session.actor.js";
import type { Reply } from "../kernel/reply.js";
import { supervisionPolicy } from "../kernel/supervision.js";
import { tell } from "../kernel/tell.js";
import type { RoomFactsPort } from "../ports.js";
import type { RoomStateCommand } from "./room-state.protocol.js";

type FactsLoaded = { readonly type: "FactsLoaded"; readonly generation: number; readonly result: Result<RoomFacts | undefined, string> };
type RoomMessage = RoomStateCommand | FactsLoaded;

type RoomState =
  | { readonly kind: "empty" }
  | { readonly kind: "loading"; readonly generation: number; readonly waiters: Reply<Result<RoomFacts, string>>[] }
  | { readonly kind: "ready"; readonly facts: RoomFacts };

export interface RoomEnvironment {
  readonly store: RoomFactsPort;
  /** Idle time after which the actor stops; its facts live on in the store. */
  readonly idleMs: number;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
}

/**
 * Spawns the cache of one room's learned facts. The first GetRoomFacts loads from the store (by promise, answered
 * by message); a load failure is answered as an error and retried on the next request rather than cached, and a
 * room the store has never seen has empty facts. LearnState replaces the facts at once and saves them in the
 * background. The actor stops after `idleMs` without messages; a crash resets it, and the store repopulates it.
 */
export function spawnRoomState(parent: Ref<unknown>, name: string, roomId: string, env: RoomEnvironment): Ref<RoomStateCommand> {
  let generation = 0;

  const handle = (state: RoomState, msg: RoomMessage, ctx: { self: Ref<RoomMessage> }): RoomState => {
    switch (msg.type) {
      case "GetRoomFacts":
        if (state.kind === "ready") {
          msg.reply(ok(state.facts));
          return state;
        }
        if (state.kind === "loading") {
          state.waiters.push(msg.reply);
          return state;
        }
        return startLoad(ctx.self, [msg.reply]);
      case "LearnState": {
        const reply = msg.reply;
        env.store.save(roomId, msg.facts).then(
          (saved) => {
            if (!saved.ok) env.logger.warn({ roomId, reason: saved.error }, "learned room state could not be saved");
            reply?.(saved);
          },
          (error: unknown) => reply?.(err(String(error))),
        );
        if (state.kind === "loading") for (const w of state.waiters) w(ok(msg.facts));
        // Facts learned now are newer than whatever an in-flight load returns; bumping the generation drops it.
        generation++;
        return { kind: "ready", facts: msg.facts };
      }
      case "FactsLoaded": {
        if (state.kind !== "loading" || msg.generation !== state.generation) return state;
        if (!msg.result.ok) {
          for (const w of state.waiters) w(err(msg.result.error));
          return { kind: "empty" };
        }
        const facts = msg.result.value ?? EMPTY_ROOM_FACTS;
        for (const w of state.waiters) w(ok(facts));
        return { kind: "ready", facts };
      }
      default:
        return assertNever(msg, "room-state message");
    }
  };

  const startLoad = (self: Ref<RoomMessage>, waiters: Reply<Result<RoomFacts, string>>[]): RoomState => {
    const gen = ++generation;
    // A port that throws instead of rejecting is still a failed load for its waiters, not a crash that loses them.
    Promise.resolve()
      .then(() => env.store.load(roomId))
      .then(
        (result) => tell(self, { type: "FactsLoaded", generation: gen, result }),
        (error: unknown) => tell(self, { type: "FactsLoaded", generation: gen, result: err(String(error)) }),
      );
    return { kind: "loading", generation: gen, waiters };
  };

  return spawn(parent, handle, name, {
    initialState: { kind: "empty" },
    shutdownAfter: env.idleMs,
    onCrash: supervisionPolicy<RoomMessage>({
      kind: "room-state",
      logger: env.logger,
      bindings: { roomId },
      onCrashCounted: env.onCrashCounted,
      decide: ({ msg }) => {
        if (msg?.type === "GetRoomFacts") msg.reply(err("room-state actor crashed"));
        return "reset";
      },
    }),
  }) as Ref<RoomStateCommand>;
}
