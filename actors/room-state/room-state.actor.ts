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
  /**
   * Where the actor publishes its current facts, read-only, for checks to take without a message: one actor
   * serves one message per event-loop turn, and a busy room's every check asking it would queue behind that.
   * The actor is the only writer; an entry lives while the actor does.
   */
  readonly published: Map<string, RoomFacts>;
}

/**
 * Spawns the cache of one room's learned facts. The first GetRoomFacts loads from the store (by promise, answered
 * by message); a load failure is answered as an error and retried on the next request rather than cached, and a
 * room the store has never seen has empty facts. LearnState replaces the facts at once and saves them in the
 * background. Ready facts are published to `env.published`, so most checks never message the actor. The actor
 * stops after `idleMs` without messages (a room whose checks only read the published facts is reloaded from the
 * store then); a crash resets it, and the store repopulates it.
 */
export function spawnRoomState(parent: Ref<unknown>, name: string, roomId: string, env: RoomEnvironment): Ref<RoomStateCommand> {
  let generation = 0;
  // What this actor published last, so that it only ever withdraws its own entry (a successor may have written).
  let mine: RoomFacts | undefined;
  const publish = (facts: RoomFacts): void => {
    mine = facts;
    env.published.set(roomId, facts);
  };
  const withdraw = (): void => {
    if (mine !== undefined && env.published.get(roomId) === mine) env.published.delete(roomId);
    mine = undefined;
  };

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
        publish(msg.facts);
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
        publish(facts);
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
        // The reset state is empty; checks ask again, and the reload publishes afresh.
        withdraw();
        return "reset";
      },
    }),
    afterStop: withdraw,
  }) as Ref<RoomStateCommand>;
}
