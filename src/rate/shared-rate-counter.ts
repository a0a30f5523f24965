/**
 * Rate counters shared by every process on one database (issue 8, item 2). Upstream kept its frequency counters in
 * one process's memory, so N processes let N times the rate through; here every process counts every process's
 * events per (community, sender), over the same 60-second sliding window.
 *
 * How, and why it stays cheap on the hot path:
 * - Reads (`count`) and writes (`record`) are synchronous and in memory (SlidingWindows); a check never waits on
 *   the database.
 * - Recorded events are buffered and written every `flushMs` (default 100 ms) in ONE statement per batch, which also
 *   NOTIFYs the batch (prefixed with its transaction ID) on RATE_CHANNEL.
 * - Every process LISTENs and folds the other processes' batches into its memory as they arrive.
 * - When the subscription (re)starts, the window is reloaded from the table under a transaction snapshot. A
 *   notification is applied iff its transaction is not visible in that snapshot, so an event is never counted
 *   twice nor missed across a reload.
 *
 * Consistency (bounded staleness): another process's event is seen here at most about `flushMs` plus one NOTIFY
 * delivery after it was recorded there, and an event is recorded when its check finishes (the runner applies the
 * filter's effect). So with P processes and a sender flooding at R events/s, at most about R × (flushMs + check
 * latency + delivery) events can slip past the limit beyond what one process would allow — a fraction of a second
 * of traffic, against upstream's factor of P for the whole minute. While the database is unreachable each process
 * keeps counting what it sees itself (upstream's behaviour) and writes its backlog when the database is back.
 */
import { randomUUID } from "node:crypto";
import type { RateKind, RateReader } from "../filters/types.js";
import type { Logger } from "../observability/logger.js";
import type { Result } from "../result.js";
import { announcedBy, decodeRatePayload, encodeRateBodies, RATE_CHANNEL, type RateAnnouncement } from "./rate-payload.js";
import { isRateKind, type RateRow } from "./rate-row.js";
import { SlidingWindows } from "./sliding-windows.js";
import { parseTxidSnapshot, visibleInSnapshot, type TxidSnapshot } from "./txid-snapshot.js";
import { inWindow, RATE_WINDOW_MS } from "./window.js";

/** A stored row as the store returns it; `kind` is checked before it is counted. */
export interface StoredRateRow {
  readonly communityId: string;
  readonly sender: string;
  readonly kind: string;
  readonly ts: number;
  readonly amount: number;
}

/** The storage the counter needs (src/storage/rate-events.repo.ts `createRateBatchesRepo` in production). */
export interface RateCounterStore {
  appendAndAnnounce(
    rows: readonly RateRow[],
    channel: string,
    bodies: readonly string[],
  ): Promise<Result<void, { readonly message: string }>>;
  loadSince(
    since: number,
  ): Promise<Result<{ readonly snapshot: string; readonly rows: readonly StoredRateRow[] }, { readonly message: string }>>;
  prune(beforeTs: number): Promise<Result<number, { readonly message: string }>>;
}

/** Subscribes to a NOTIFY channel (`Database.listen`): `onListen` runs each time the subscription becomes active. */
export type RateListen = (
  channel: string,
  handler: (payload: string) => void,
  options?: { readonly onListen?: () => void },
) => Promise<() => Promise<void>>;

export interface SharedRateCounterOptions {
  readonly store: RateCounterStore;
  readonly listen: RateListen;
  readonly logger: Logger;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Identifies this process's announcements (so it skips its own); random by default. */
  readonly origin?: string;
  /** Write interval; default 100 ms. */
  readonly flushMs?: number;
  /** How often old rows are deleted from the table; default 30 s. */
  readonly pruneMs?: number;
  /** How often expired in-memory windows are dropped; default 10 s. */
  readonly sweepMs?: number;
  readonly windowMs?: number;
  /** False for tests that drive `sync()` by hand; default true (timers, unref'd). */
  readonly timers?: boolean;
}

/** Counts at the moment, for logs, metrics and tests. */
export interface RateCounterStats {
  readonly windows: number;
  /** Recorded here, not yet written. */
  readonly unflushed: number;
  /** Other processes' rows folded in from notifications. */
  readonly announcedRowsApplied: number;
  /** Notifications skipped because the last reload already read them. */
  readonly announcementsAlreadyLoaded: number;
  readonly reloads: number;
}

/** The rate service: the filters read it (`RateReader`), the runner records effects into it. */
export interface SharedRateCounter extends RateReader {
  /** Counts `amount` units now (memory) and queues them for the next write. `amount` must be a positive integer. */
  record(communityId: string, sender: string, kind: RateKind, at: number, amount: number): void;
  /** Resolves after the first load of the window (ok) or its failure (the counter works locally meanwhile). */
  readonly ready: Promise<Result<void, string>>;
  /** Runs one round by hand: a pending reload, then a write of everything buffered. */
  sync(): Promise<void>;
  stats(): RateCounterStats;
  /** Stops the timers and the subscription after a last write (bounded by the store's own timeouts). */
  stop(): Promise<void>;
}

/** Most notifications kept while the first reload has not finished; older ones would be out of the window anyway. */
const MAX_QUEUED_ANNOUNCEMENTS = 10_000;

/** Starts a counter: subscribes, loads the window, then writes every `flushMs`. */
export function startSharedRateCounter(options: SharedRateCounterOptions): SharedRateCounter {
  const { store, logger, now } = options;
  const windowMs = options.windowMs ?? RATE_WINDOW_MS;
  const origin = options.origin ?? randomUUID();
  const log = logger.child({ component: "rate-counter" });
  const windows = new SlidingWindows(windowMs);

  let buffer: RateRow[] = [];
  let snapshot: TxidSnapshot | undefined;
  // The first round loads the window even if the subscription is slow to start; each (re)subscription reloads again.
  let reloadWanted = true;
  let reloading = false;
  let queued: RateAnnouncement[] = [];
  let writeFailing = false;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const stats = { announcedRowsApplied: 0, announcementsAlreadyLoaded: 0, reloads: 0 };

  let resolveReady: (result: Result<void, string>) => void = () => undefined;
  const ready = new Promise<Result<void, string>>((resolve) => (resolveReady = resolve));

  const addRow = (row: RateRow): void => windows.add(row.communityId, row.kind, row.sender, row.ts, row.amount);

  const applyAnnouncement = (announcement: RateAnnouncement): void => {
    if (snapshot !== undefined && visibleInSnapshot(announcement.txid, snapshot)) {
      stats.announcementsAlreadyLoaded++;
      return;
    }
    for (const row of announcement.rows) addRow(row);
    stats.announcedRowsApplied += announcement.rows.length;
  };

  const onPayload = (payload: string): void => {
    // Our own rows are in memory since `record`; a reload reads them from the table instead.
    if (announcedBy(payload, origin)) return;
    const decoded = decodeRatePayload(payload);
    if (!decoded.ok) {
      log.warn({ channel: RATE_CHANNEL }, decoded.error);
      return;
    }
    if (snapshot === undefined || reloading) {
      queued.push(decoded.value);
      if (queued.length > MAX_QUEUED_ANNOUNCEMENTS) queued = queued.slice(-MAX_QUEUED_ANNOUNCEMENTS);
      return;
    }
    applyAnnouncement(decoded.value);
  };

  const reload = async (): Promise<void> => {
    reloadWanted = false;
    reloading = true;
    try {
      const loaded = await store.loadSince(now() - windowMs);
      if (!loaded.ok) throw new Error(loaded.error.message);
      const parsed = parseTxidSnapshot(loaded.value.snapshot);
      if (!parsed.ok) throw new Error(parsed.error);
      // Runs between writes (the chain serialises them), so the table holds every row we wrote and the buffer
      // holds every row we did not: together they are exactly our view.
      windows.clear();
      for (const row of loaded.value.rows) {
        if (isRateKind(row.kind)) windows.add(row.communityId, row.kind, row.sender, row.ts, row.amount);
      }
      for (const row of buffer) addRow(row);
      snapshot = parsed.value;
      stats.reloads++;
      const pending = queued;
      queued = [];
      for (const announcement of pending) applyAnnouncement(announcement);
      resolveReady({ ok: true, value: undefined });
    } catch (error) {
      reloadWanted = true;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, "rate window reload failed; counting locally until it succeeds");
      resolveReady({ ok: false, error: message });
    } finally {
      reloading = false;
    }
  };

  const write = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const at = now();
    const batch = buffer.filter((row) => inWindow(row.ts, at, windowMs));
    buffer = [];
    if (batch.length === 0) return;
    let failure: string | undefined;
    try {
      const written = await store.appendAndAnnounce(batch, RATE_CHANNEL, encodeRateBodies(origin, batch));
      if (!written.ok) failure = written.error.message;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure === undefined) {
      if (writeFailing) log.info("rate counters are being written again");
      writeFailing = false;
      return;
    }
    // Kept (and still counted here) until the database takes them; rows that leave the window meanwhile are dropped.
    buffer = [...batch, ...buffer];
    if (!writeFailing) log.warn({ reason: failure, rows: batch.length }, "rate counters could not be written; will retry");
    writeFailing = true;
  };

  const enqueue = (task: () => Promise<void>): Promise<void> => {
    chain = chain.then(task, task);
    return chain;
  };

  const sync = (): Promise<void> =>
    enqueue(async () => {
      if (reloadWanted) await reload();
      await write();
    });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, run: () => void): void => {
    const timer = setInterval(run, ms);
    timer.unref();
    timers.push(timer);
  };
  if (options.timers !== false) {
    every(options.flushMs ?? 100, () => void sync());
    every(options.sweepMs ?? 10_000, () => windows.sweep(now()));
    every(options.pruneMs ?? 30_000, () => {
      void store.prune(now() - windowMs - 5_000).then(
        (pruned) => {
          if (!pruned.ok) log.debug({ reason: pruned.error.message }, "rate rows could not be pruned");
        },
        (error: unknown) => log.debug({ err: error }, "rate rows could not be pruned"),
      );
    });
  }

  void sync();
  const unlisten = options.listen(RATE_CHANNEL, onPayload, {
    onListen: () => {
      // Notifications sent while we were not listening are lost: read the window again.
      reloadWanted = true;
      void sync();
    },
  });

  return {
    ready,
    count: (communityId, sender, kind, at) => windows.count(communityId, kind, sender, at),
    record(communityId, sender, kind, at, amount) {
      if (!Number.isSafeInteger(amount) || amount <= 0) {
        throw new Error(`rate amount must be a positive integer, got ${amount}`);
      }
      if (stopped) return;
      const row: RateRow = { communityId, sender, kind, ts: at, amount };
      addRow(row);
      buffer.push(row);
    },
    sync,
    stats: () => ({
      windows: windows.size,
      unflushed: buffer.length,
      announcedRowsApplied: stats.announcedRowsApplied,
      announcementsAlreadyLoaded: stats.announcementsAlreadyLoaded,
      reloads: stats.reloads,
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await enqueue(write);
      await (await unlisten)();
    },
  };
}
