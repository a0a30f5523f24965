import type { Logger } from "pino";

/** The decision names of nact's supervision context that our policies use. */
export type CrashDecision = "resume" | "reset" | "stop" | "stopChild" | "resetChild";

/** What a supervision policy sees; `child` is set when a child escalated to this actor. */
export interface CrashReport<Msg> {
  readonly msg: Msg | undefined;
  readonly error: unknown;
  /** How many crashes this policy saw inside the current damping window, this one included. */
  readonly recentCrashes: number;
}

export interface SupervisionOptions<Msg> {
  /** Bounded actor kind for logs and the crash metric (never a room or user ID). */
  readonly kind: string;
  readonly logger: Logger;
  /** Fields added to the crash log line (e.g. `communityId`); cheaper than a child logger per actor. */
  readonly bindings?: Readonly<Record<string, string>>;
  readonly onCrashCounted?: (kind: string) => void;
  /** The normal decision. Runs inside a try/catch: if it throws, the policy still answers `stop`. */
  readonly decide: (report: CrashReport<Msg>) => CrashDecision;
  /** Crash-loop damping: more than `maxCrashes` inside `windowMs` makes the decision `stop`. */
  readonly maxCrashes?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
  /** The damping window; pass one that outlives the actor (see CrashWindow). Default: the policy's own. */
  readonly window?: CrashWindow;
}

/**
 * A crash-damping window. Owned by the caller when it must outlive one actor: a keyed child that is stopped for
 * crash-looping is spawned again by its next message, and a window that died with it would let the loop spin.
 */
export interface CrashWindow {
  start: number;
  crashes: number;
}

/** Whether `window` has seen more than `maxCrashes` crashes within the last `windowMs` (the actor is quarantined). */
export function crashLooping(window: CrashWindow, maxCrashes: number, windowMs: number, now: number): boolean {
  return window.crashes > maxCrashes && now - window.start <= windowMs;
}

/** The subset of nact's supervision context we read (its decisions are symbols). */
type DecisionContext = { readonly [K in CrashDecision]: symbol };

/**
 * Builds a total `onCrash`: nact turns a throwing `onCrash` into an unhandled rejection that ends the process, and an
 * unknown return value into an escalation (runtime.md §1.2). So this never throws, always returns one of the context's
 * symbols, logs through pino instead of nact's console.log, counts the crash, and damps crash loops by stopping an
 * actor that keeps crashing instead of resetting it forever.
 */
export function supervisionPolicy<Msg>(options: SupervisionOptions<Msg>) {
  const maxCrashes = options.maxCrashes ?? 10;
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  const window = options.window ?? { start: 0, crashes: 0 };
  return (msg: Msg | undefined, error: unknown, ctx: unknown): symbol => {
    const decisions = ctx as DecisionContext;
    let decision: CrashDecision;
    try {
      const t = now();
      if (t - window.start > windowMs) {
        window.start = t;
        window.crashes = 0;
      }
      window.crashes++;
      const crashes = window.crashes;
      options.onCrashCounted?.(options.kind);
      decision = crashes > maxCrashes ? "stop" : options.decide({ msg, error, recentCrashes: crashes });
      options.logger.error(
        { ...options.bindings, err: error, actorKind: options.kind, decision, recentCrashes: window.crashes, msgType: messageType(msg) },
        "actor crashed",
      );
    } catch {
      // A failing logger or policy must not turn a crash into a process exit; stopping is the safe answer.
      decision = "stop";
    }
    return decisions[decision];
  };
}

function messageType(msg: unknown): string | undefined {
  if (typeof msg === "object" && msg !== null && "type" in msg && typeof msg.type === "string") return msg.type;
  return undefined;
}
