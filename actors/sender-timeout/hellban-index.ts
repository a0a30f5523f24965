import { hellbanKey } from "../memory-ports.js";

/**
 * The read side of the timeouts subsystem: the expiry of every active hellban this process knows, written by
 * sender-timeout actors (new bans) and by the runtime (bans read from the store), read synchronously by check
 * sessions, and swept by one timer. Asking an actor per check would add a mailbox round trip to every event for a
 * fact that changes rarely; reads compare against the clock, so a ban is over at its expiry even before a sweep.
 */
export class HellbanIndex {
  private readonly expiries = new Map<string, number>();

  isBanned(communityId: string, userId: string, now: number): boolean {
    const expiresAt = this.expiries.get(hellbanKey(communityId, userId));
    return expiresAt !== undefined && expiresAt > now;
  }

  expiresAt(communityId: string, userId: string): number | undefined {
    return this.expiries.get(hellbanKey(communityId, userId));
  }

  /** Called by the sender actor that owns the pair. */
  set(communityId: string, userId: string, expiresAt: number): void {
    this.expiries.set(hellbanKey(communityId, userId), expiresAt);
  }

  delete(communityId: string, userId: string): void {
    this.expiries.delete(hellbanKey(communityId, userId));
  }

  /** Drops every ban that is over at `now`; returns how many. */
  sweep(now: number): number {
    let removed = 0;
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt <= now) {
        this.expiries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.expiries.size;
  }
}
