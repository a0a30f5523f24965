/**
 * Coalesces many small storage calls made in the same moment into one round trip. Every check reads the stored
 * verdict of its event and writes its own verdict; at thousands of checks per second one query each would make
 * PostgreSQL round trips the bottleneck, so calls made within one turn of the event loop (or up to `maxBatch`)
 * share a query.
 */
export interface BatcherOptions {
  /** Flush at once when this many calls wait. */
  readonly maxBatch: number;
  /** Batches in flight at once; further calls wait for one to finish (bounded pressure on the pool). */
  readonly maxInFlight: number;
}

export type BatchRunner<In, Out> = (inputs: readonly In[]) => Promise<readonly Out[]>;

interface Pending<In, Out> {
  readonly input: In;
  readonly resolve: (value: Out) => void;
}

/** Returns a function with the signature of one call; the runner gets the batch and answers in input order. */
export function createBatcher<In, Out>(run: BatchRunner<In, Out>, options: BatcherOptions): (input: In) => Promise<Out> {
  let waiting: Pending<In, Out>[] = [];
  let scheduled = false;
  let inFlight = 0;

  const flush = (): void => {
    scheduled = false;
    while (waiting.length > 0 && inFlight < options.maxInFlight) {
      const batch = waiting.slice(0, options.maxBatch);
      waiting = waiting.slice(batch.length);
      inFlight++;
      run(batch.map((p) => p.input)).then(
        (outputs) => batch.forEach((p, i) => p.resolve(outputs[i] as Out)),
        // The runner maps expected failures to values; a rejection is a bug, surfaced to every caller alike.
        (error: unknown) => batch.forEach((p) => p.resolve(Promise.reject(error) as unknown as Out)),
      ).finally(() => {
        inFlight--;
        if (waiting.length > 0) schedule();
      });
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (input) =>
    new Promise<Out>((resolve) => {
      waiting.push({ input, resolve });
      if (waiting.length >= options.maxBatch && inFlight < options.maxInFlight) flush();
      else schedule();
    });
}
