/**
 * In-memory sliding windows, one per (community, kind, sender): the hot-path half of the rate counter. Adding and
 * counting are synchronous and touch only one key's entries; expired entries are dropped as they are met and by a
 * periodic sweep, so memory follows the traffic of the last minute.
 */
import type { RateKind } from "../filters/types.js";
import { inWindow, RATE_WINDOW_MS } from "./window.js";

interface Entries {
  ts: number[];
  amount: number[];
}

/** The map key of one counter. NUL cannot occur in a community ID or a user ID, so keys never collide. */
export function rateKey(communityId: string, kind: RateKind, sender: string): string {
  return `${communityId}\u0000${kind}\u0000${sender}`;
}

export class SlidingWindows {
  private readonly windows = new Map<string, Entries>();

  constructor(private readonly windowMs: number = RATE_WINDOW_MS) {}

  /** Adds `amount` units at `ts`. Entries may arrive out of order (other processes' batches). */
  add(communityId: string, kind: RateKind, sender: string, ts: number, amount: number): void {
    const key = rateKey(communityId, kind, sender);
    let entries = this.windows.get(key);
    if (entries === undefined) {
      entries = { ts: [], amount: [] };
      this.windows.set(key, entries);
    }
    entries.ts.push(ts);
    entries.amount.push(amount);
  }

  /** Units in the window ending at `now`. Drops the expired entries it meets at the front (the common case). */
  count(communityId: string, kind: RateKind, sender: string, now: number): number {
    const entries = this.windows.get(rateKey(communityId, kind, sender));
    if (entries === undefined) return 0;
    let expiredPrefix = 0;
    while (expiredPrefix < entries.ts.length && !inWindow(entries.ts[expiredPrefix] as number, now, this.windowMs)) {
      expiredPrefix++;
    }
    if (expiredPrefix > 0) {
      entries.ts.splice(0, expiredPrefix);
      entries.amount.splice(0, expiredPrefix);
    }
    let total = 0;
    for (let i = 0; i < entries.ts.length; i++) {
      if (inWindow(entries.ts[i] as number, now, this.windowMs)) total += entries.amount[i] as number;
    }
    return total;
  }

  /** Drops every expired entry and every empty window; returns how many windows remain. */
  sweep(now: number): number {
    for (const [key, entries] of this.windows) {
      const keepTs: number[] = [];
      const keepAmount: number[] = [];
      entries.ts.forEach((ts, i) => {
        if (inWindow(ts, now, this.windowMs)) {
          keepTs.push(ts);
          keepAmount.push(entries.amount[i] as number);
        }
      });
      if (keepTs.length === 0) this.windows.delete(key);
      else {
        entries.ts = keepTs;
        entries.amount = keepAmount;
      }
    }
    return this.windows.size;
  }

  /** Forgets everything (a reload replaces the view). */
  clear(): void {
    this.windows.clear();
  }

  /** Number of (community, kind, sender) windows held. */
  get size(): number {
    return this.windows.size;
  }
}
