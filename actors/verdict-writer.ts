import type { Logger } from "pino";
import type { Verdict } from "../src/pipeline/types.js";
import type { Clock, TimerHandle } from "./kernel/clock.js";
import type { VerdictPort } from "./ports.js";

export interface VerdictWriterOptions {
  readonly concurrency?: number;
  /** First retry delay after a failed write; doubles per consecutive failure, capped at 30 s. */
  readonly retryMs?: number;
  /** Verdicts held while the store is down; the oldest are dropped past it (they can be recomputed). */
  readonly bound?: number;
}

/**
 * Stores verdicts behind the answer: a check never waits for its write, a failed write is retried with back-off
 * (decisions §5.4), and verdicts not yet written are still served from `pending` so a repeat check of the same event
 * does not run the filters again.
 */
export class VerdictWriter {
  private readonly queued = new Map<string, Verdict>();
  private readonly writing = new Map<string, Verdict>();
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly retryMs: number;
  private readonly bound: number;

  constructor(
    private readonly port: VerdictPort,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: VerdictWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
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
    while (this.writing.size < this.concurrency) {
      const next = this.queued.entries().next();
      if (next.done) break;
      const [eventId, verdict] = next.value;
      this.queued.delete(eventId);
      this.writing.set(eventId, verdict);
      this.port.put(eventId, verdict).then(
        (result) => this.written(eventId, verdict, result.ok ? undefined : result.error),
        (error: unknown) => this.written(eventId, verdict, String(error)),
      );
    }
    if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private written(eventId: string, verdict: Verdict, error: string | undefined): void {
    this.writing.delete(eventId);
    if (error === undefined) {
      this.failures = 0;
      this.pump();
      return;
    }
    if (!this.queued.has(eventId)) this.queued.set(eventId, verdict);
    this.failures++;
    if (this.retryTimer === undefined) {
      const delay = Math.min(30_000, this.retryMs * 2 ** (this.failures - 1));
      this.logger.warn({ reason: error, retryInMs: delay }, "verdict could not be stored; will retry");
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delay);
    }
  }
}
