import type { Logger } from "pino";
import type { Verdict } from "../src/pipeline/types.js";
import type { Clock, TimerHandle } from "./kernel/clock.js";
import type { VerdictEntry, VerdictPort } from "./ports.js";

export interface VerdictWriterOptions {
  /** Batches being written at once. */
  readonly concurrency?: number;
  /** Verdicts per batch at most. */
  readonly batchSize?: number;
  /** First retry delay after a failed round of writes; doubles per consecutive failed round, capped at 30 s. */
  readonly retryMs?: number;
  /** Verdicts held while the store is down; the oldest are dropped past it (they can be recomputed). */
  readonly bound?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * Stores verdicts behind the answer: a check never waits for its write, a failed write is retried with back-off
 * (decisions §5.4), and verdicts not yet written are still served from `pending` so a repeat check of the same event
 * does not run the filters again. Verdicts travel in batches: whatever queued while the previous batches were being
 * written goes in the next one, so the store keeps up with any check rate a single round trip allows, and a busy
 * moment costs a few large statements instead of one small statement per check.
 */
export class VerdictWriter {
  private queued = new Map<string, Verdict>();
  private readonly writing = new Map<string, Verdict>();
  private batchesInFlight = 0;
  /** Consecutive failed rounds (not failed batches: several batches failing together are one round). */
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly bound: number;

  constructor(
    private readonly port: VerdictPort,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: VerdictWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.batchSize = options.batchSize ?? 500;
    this.retryMs = options.retryMs ?? 1_000;
    this.bound = options.bound ?? 100_000;
  }

  enqueue(eventId: string, verdict: Verdict): void {
    this.queued.set(eventId, verdict);
    if (this.queued.size + this.writing.size > this.bound) {
      const oldest = this.queued.keys().next();
      if (!oldest.done) {
        this.queued.delete(oldest.value);
        this.logger.warn({ bound: this.bound }, "verdict write queue full; dropped the oldest unwritten verdict");
      }
    }
    this.pump();
  }

  /** A verdict computed here but not yet confirmed written. */
  pending(eventId: string): Verdict | undefined {
    return this.queued.get(eventId) ?? this.writing.get(eventId);
  }

  get size(): number {
    return this.queued.size + this.writing.size;
  }

  /** Resolves when everything is written, or after `timeoutMs` (whichever first); true when fully flushed. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        this.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Cancels the retry timer; unwritten verdicts are abandoned (they can be recomputed). */
  close(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private pump(): void {
    if (this.retryTimer !== undefined) return;
    while (this.batchesInFlight < this.concurrency && this.queued.size > 0) {
      const batch: VerdictEntry[] = [];
      for (const [eventId, verdict] of this.queued) {
        batch.push({ eventId, verdict });
        if (batch.length === this.batchSize) break;
      }
      for (const { eventId, verdict } of batch) {
        this.queued.delete(eventId);
        this.writing.set(eventId, verdict);
      }
      this.batchesInFlight++;
      this.port.putMany(batch).then(
        (result) => this.written(batch, result.ok ? undefined : result.error),
        (error: unknown) => this.written(batch, String(error)),
      );
    }
    if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private written(batch: readonly VerdictEntry[], error: string | undefined): void {
    this.batchesInFlight--;
    for (const { eventId } of batch) this.writing.delete(eventId);
    if (error === undefined) {
      if (this.retryTimer === undefined) this.failures = 0;
      this.pump();
      return;
    }
    // Put back in front of what queued meanwhile (unless a newer verdict for the event is already queued), so the
    // bound still drops the oldest first.
    const requeued = new Map<string, Verdict>();
    for (const { eventId, verdict } of batch) if (!this.queued.has(eventId)) requeued.set(eventId, verdict);
    for (const [eventId, verdict] of this.queued) requeued.set(eventId, verdict);
    this.queued = requeued;
    if (this.retryTimer !== undefined) return;
    this.failures++;
    const delay = Math.min(MAX_RETRY_MS, this.retryMs * 2 ** (this.failures - 1));
    this.logger.warn({ reason: error, retryInMs: delay, unwritten: this.size }, "verdicts could not be stored; will retry");
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
  }
}
