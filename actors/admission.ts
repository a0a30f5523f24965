/**
 * Bounds the checks in flight (`PS_PROCESSING_POOL_SIZE`): past the limit, new checks wait in a bounded FIFO queue,
 * and past that they are refused at once so the HTTP layer answers 429 instead of letting work pile up. Plain
 * single-threaded state owned by the runtime facade: no mailbox hop on the hot path.
 */
export class Admission {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queueBound: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`processing pool size must be a positive integer, got ${limit}`);
    if (!Number.isInteger(queueBound) || queueBound < 0) {
      throw new Error(`processing queue bound must be a non-negative integer, got ${queueBound}`);
    }
  }

  /**
   * `true`: admitted now. A promise: queued, resolves when admitted. `false`: overloaded. Every admission must be
   * paired with exactly one `release()`.
   */
  acquire(): true | false | Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return true;
    }
    if (this.waiting.length >= this.queueBound) return false;
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
