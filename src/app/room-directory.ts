import type { RoomLookup, RoomRecord } from "../policy/ports.js";
import { err, ok, type Result } from "../result.js";
import type { RoomsRepo } from "../storage/rooms.repo.js";

export interface RoomDirectoryOptions {
  /** How long a known room is served from memory before it is re-read (a NOTIFY evicts it sooner). */
  readonly knownTtlMs?: number;
  /** How long "not protected" is remembered; short, so a room joined by another process is seen within a second. */
  readonly unknownTtlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly room: RoomRecord | undefined;
  readonly at: number;
}

/**
 * Room → (version, community) for every check, cached. While the database is unreachable a room we already knew
 * keeps being served from memory however old the entry (decisions §5.4); only a room never seen gets `err`.
 */
export class RoomDirectory implements RoomLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Result<RoomRecord | undefined, string>>>();
  private readonly knownTtlMs: number;
  private readonly unknownTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly rooms: Pick<RoomsRepo, "get">,
    options: RoomDirectoryOptions = {},
  ) {
    this.knownTtlMs = options.knownTtlMs ?? 60 * 60 * 1000;
    this.unknownTtlMs = options.unknownTtlMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  getRoom(roomId: string): Promise<Result<RoomRecord | undefined, string>> {
    const entry = this.entries.get(roomId);
    if (entry !== undefined && this.fresh(entry)) return Promise.resolve(ok(entry.room));
    const running = this.inflight.get(roomId);
    if (running !== undefined) return running;
    const lookup = this.load(roomId, entry).finally(() => this.inflight.delete(roomId));
    this.inflight.set(roomId, lookup);
    return lookup;
  }

  peekRoom(roomId: string): RoomRecord | undefined {
    const entry = this.entries.get(roomId);
    return entry !== undefined && this.fresh(entry) ? entry.room : undefined;
  }

  private fresh(entry: Entry): boolean {
    return this.now() - entry.at < (entry.room === undefined ? this.unknownTtlMs : this.knownTtlMs);
  }

  /**
   * Re-reads one room on its next lookup (its community changed, or it was just joined). The old entry stays as the
   * outage fallback: if the re-read fails, what we knew is still better than refusing to answer.
   */
  invalidate(roomId: string): void {
    const entry = this.entries.get(roomId);
    if (entry === undefined) return;
    if (entry.room === undefined) this.entries.delete(roomId);
    else this.entries.set(roomId, { room: entry.room, at: Number.NEGATIVE_INFINITY });
  }

  /** Re-reads every room on its next lookup (after a database reconnect, notifications may have been missed). */
  clear(): void {
    for (const roomId of [...this.entries.keys()]) this.invalidate(roomId);
  }

  /** Records a room this process just stored, so the first check after a join needs no read. */
  remember(room: RoomRecord): void {
    this.entries.set(room.roomId, { room, at: this.now() });
  }

  private async load(roomId: string, stale: Entry | undefined): Promise<Result<RoomRecord | undefined, string>> {
    const row = await this.rooms.get(roomId);
    // An ID the database cannot even hold (a NUL character) names no room we protect.
    if (!row.ok && row.error.kind === "invalid") return ok(undefined);
    if (!row.ok) {
      if (stale?.room !== undefined) return ok(stale.room);
      return err(row.error.message);
    }
    const value = row.value;
    // A row whose community was nulled by hand has no filters to run: treat it as unprotected.
    const room =
      value === null || value.communityId === null
        ? undefined
        : { roomId: value.roomId, roomVersion: value.roomVersion, communityId: value.communityId };
    this.entries.set(roomId, { room, at: this.now() });
    return ok(room);
  }
}
