import { hellbanKey } from "../memory-ports.js";

/**
 * The read side of the timeouts subsystem: the expiry of every active hellban this process knows, written only by
 * sender-timeout actors and read synchronously by check sessions. Asking an actor per check would add a mailbox
 * round trip to every event for a fact that changes rarely; reads compare against the clock, so a ban is over at its
 * expiry even if the actor's expiry tick is late.
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

  get size(): number {
    return this.expiries.size;
  }
}
