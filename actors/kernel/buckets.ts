import { spawn, stop, type Ref } from "nact";
import type { Logger } from "pino";
import { encodeActorName, shardOf } from "./actor-name.js";
import { supervisionPolicy } from "./supervision.js";
import { assertNever } from "../../src/result.js";
import type { Reply } from "./reply.js";
import { tell } from "./tell.js";

/** A bucket delivers `msg` to the child that owns `key` (spawning it if needed), or stops all its children. */
export type BucketCommand<Msg> =
  | { readonly type: "Deliver"; readonly key: string; readonly msg: Msg }
  /** Shutdown: nact's own stop never reaches nested children, so each bucket stops its children explicitly. */
  | { readonly type: "StopChildren"; readonly reply: Reply<number> };

export interface KeyedSupervisorOptions<Msg> {
  readonly parent: Ref<unknown>;
  /** Name of the supervisor (`communities`, `rooms`, `timeouts`). */
  readonly name: string;
  /** Prefix of child names (`community`, `room`, `sender`). */
  readonly childPrefix: string;
  readonly buckets: number;
  /**
   * Spawns the child for `key` under `bucket` with the given (encoded) name. With `direct`, the child must call
   * `stopped` as soon as it knows it is stopping (its supervision decided to stop it, or its afterStop ran).
   */
  readonly spawnChild: (bucket: Ref<unknown>, name: string, key: string, stopped: () => void) => Ref<Msg>;
  /**
   * Deliver to a known live child straight from the caller, skipping the bucket's mailbox hop. Only for children
   * that never stop on their own (no idle shutdown): nact drops a message sent to a stopped actor without a word,
   * so the directory must learn of every stop before it happens, which a child's `stopped` call guarantees only
   * when its stops are our decisions.
   */
  readonly direct?: boolean;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
  /** Cache encoded names (default true): worth it for keys that recur on the hot path, not for one-off keys. */
  readonly memoizeNames?: boolean;
}

/** Routes a message to the per-key actor, spawning it on first use. */
export interface KeyedSupervisor<Msg> {
  deliver(key: string, msg: Msg): void;
  /** Stops every child of every bucket; resolves with how many were stopped. */
  stopChildren(): Promise<number>;
  readonly ref: Ref<unknown>;
}

/**
 * A get-or-spawn supervisor sharded into buckets. nact copies a parent's children Map on every message it handles,
 * so one parent with 100k children costs 32 ms per message (runtime.md §1.3); with B buckets each parent holds
 * about n/B children. The bucket checks `ctx.children` before spawning, because spawning an existing name throws,
 * and an idle child that shut itself down is simply spawned again (its truth is in the store).
 */
export function spawnKeyedSupervisor<Msg>(options: KeyedSupervisorOptions<Msg>): KeyedSupervisor<Msg> {
  const onCrash = supervisionPolicy<BucketCommand<Msg>>({
    kind: `${options.name}-bucket`,
    logger: options.logger,
    onCrashCounted: options.onCrashCounted,
    maxCrashes: Number.MAX_SAFE_INTEGER,
    decide: () => "resume",
  });
  const supervisor = spawn(options.parent, (state: null) => state, options.name, { initialState: null });
  const names = new Map<string, string>();
  // Live children by key, for direct delivery; holds only children spawned with `direct` and not yet stopped.
  const directory = new Map<string, Ref<Msg>>();
  const bucketRefs: Ref<BucketCommand<Msg>>[] = [];
  for (let i = 0; i < options.buckets; i++) {
    const handle = (state: null, cmd: BucketCommand<Msg>, ctx: { children: Map<string, Ref<unknown>>; self: Ref<unknown> }) => {
      switch (cmd.type) {
        case "Deliver": {
          const name = childName(cmd.key);
          let child = ctx.children.get(name) as Ref<Msg> | undefined;
          if (child === undefined) {
            const key = cmd.key;
            // A holder, not a const: `stopped` may run during the spawn itself (a crash in its initial state).
            const entry: { ref?: Ref<Msg>; gone: boolean } = { gone: false };
            entry.ref = options.spawnChild(ctx.self, name, key, () => {
              entry.gone = true;
              if (entry.ref !== undefined && directory.get(key) === entry.ref) directory.delete(key);
            });
            child = entry.ref;
            // Registered at spawn only: a child found in ctx.children but absent here is stopping, and must not be
            // put back (its messages go through the bucket until nact has removed it and it is spawned afresh).
            if (options.direct === true && !entry.gone) directory.set(key, child);
          }
          tell(child as Ref<Msg>, cmd.msg);
          return state;
        }
        case "StopChildren":
          directory.clear();
          for (const child of ctx.children.values()) stop(child);
          cmd.reply(ctx.children.size);
          return state;
        default:
          return assertNever(cmd, "bucket command");
      }
    };
    bucketRefs.push(spawn(supervisor, handle, `bucket-${i}`, { initialState: null, onCrash }));
  }
  // Name encoding hashes the key; memoising keeps it off the hot path for keys seen before.
  const memoize = options.memoizeNames ?? true;
  function childName(key: string): string {
    if (!memoize) return encodeActorName(options.childPrefix, key);
    let name = names.get(key);
    if (name === undefined) {
      name = encodeActorName(options.childPrefix, key);
      if (names.size > 100_000) names.clear();
      names.set(key, name);
    }
    return name;
  }
  return {
    ref: supervisor,
    deliver(key, msg) {
      const child = directory.get(key);
      if (child !== undefined) {
        tell(child, msg);
        return;
      }
      const bucket = bucketRefs[shardOf(key, bucketRefs.length)] as Ref<BucketCommand<Msg>>;
      tell(bucket, { type: "Deliver", key, msg });
    },
    async stopChildren() {
      const counts = await Promise.all(
        bucketRefs.map((bucket) => new Promise<number>((resolve) => tell(bucket, { type: "StopChildren", reply: resolve }))),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}
