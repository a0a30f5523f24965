import type { Ref } from "nact";
import type { Clock, TimerHandle } from "./clock.js";
import { tell } from "./tell.js";

/**
 * A keyed self-timer with Akka semantics on top of nact (which has none): arming it again cancels the previous tick,
 * and every tick carries the generation it was armed with, so a tick that was already queued when the timer was
 * re-armed or cancelled is recognised as stale by `isCurrent` and ignored.
 */
export class GenerationTimer {
  private generation = 0;
  private handle: TimerHandle | undefined;

  constructor(private readonly clock: Clock) {}

  /** Schedules `makeTick(generation)` to `target` after `delayMs`; returns the new generation. */
  arm<T>(target: Ref<T>, delayMs: number, makeTick: (generation: number) => T): number {
    this.cancel();
    const generation = ++this.generation;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      tell(target, makeTick(generation));
    }, delayMs);
    return generation;
  }

  /** Cancels the pending tick, if any; a tick already in the mailbox becomes stale. */
  cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.generation++;
  }

  isCurrent(generation: number): boolean {
    return generation === this.generation;
  }
}
