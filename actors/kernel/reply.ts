/**
 * The request-response pattern of the hot path. nact's `query` keys pending answers by a random int32 and so hands
 * out another caller's answer under load (runtime.md §1.4); instead every request carries a plain callback. nact is
 * in-process, so passing a function in a message is safe.
 */
export type Reply<T> = (value: T) => void;

/**
 * Wraps a reply so that it fires at most once: a check can be answered by its session, its deadline, its supervisor
 * and its `afterStop`, and only the first of those may reach the caller.
 */
export function replyOnce<T>(reply: Reply<T>): Reply<T> & { readonly done: () => boolean } {
  let done = false;
  const once = (value: T): void => {
    if (done) return;
    done = true;
    reply(value);
  };
  return Object.assign(once, { done: () => done });
}

/** A promise with its resolver, for bridging a reply callback back to an async caller. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Correlation ids that never collide within one runtime (a counter, not a random int32). */
export function correlationIds(prefix = ""): () => string {
  let next = 0;
  return () => `${prefix}${(next++).toString(36)}`;
}
