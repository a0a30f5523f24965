import { EventEmitter } from "node:events";
import postgres from "postgres";
import type { Logger } from "../observability/logger.js";
import { err, ok, type Result } from "../result.js";
import { classifyStorageError, isConnectionError, storageError, type StorageError } from "./storage-error.js";

/** The postgres.js client type every repository takes. */
export type Sql = postgres.Sql;
/** What a statement runs on: the pool, or a transaction begun on it (helpers shared by repositories take either). */
export type Queryable = postgres.ISql;

/**
 * Runs a read-only query on the replica when one is configured and reachable, else on the primary. The query is a
 * callback rather than a template so the same tagged template can be re-issued against whichever server answers.
 */
export type ReadRunner = <T>(query: (sql: Sql) => Promise<T>) => Promise<T>;

/** Receives one NOTIFY payload. Errors it throws are logged and swallowed: one bad subscriber never stops others. */
export type NotificationHandler = (payload: string) => void;

export interface ListenOptions {
  /**
   * Called each time the subscription becomes active, including after a reconnect. Notifications sent while the
   * connection was down are lost, so subscribers reload what they cache here.
   */
  readonly onListen?: () => void;
}

/** Stops one subscription. */
export type Unlisten = () => Promise<void>;

export interface DatabaseOptions {
  /** Primary (read/write) connection URL, `postgres://user:pass@host:port/db`. */
  readonly url: string;
  /** Optional read replica URL (`PS_DATABASE_READ`); reads fall back to the primary while it fails. */
  readonly readUrl?: string;
  /** Pool size of the primary (`PS_DATABASE_MAX_OPEN`); forced to 1 when embedded. Default 10. */
  readonly maxOpen?: number;
  /**
   * `PS_DATABASE_MAX_IDLE`. postgres.js has no idle-count limit, only an idle timeout, so 0 closes idle
   * connections after one second and anything else keeps them for a minute.
   */
  readonly maxIdle?: number;
  readonly readMaxOpen?: number;
  readonly readMaxIdle?: number;
  /**
   * True when the server is PGlite behind its socket server: one shared backend session, so cross-connection
   * LISTEN/NOTIFY does not work (runtime.md §4.2). Notifications are then delivered by an in-process bus.
   */
  readonly embedded?: boolean;
  /** Connection attempts give up after this long so nothing hangs (decisions §5.4). Default 5. */
  readonly connectTimeoutSeconds?: number;
  readonly logger: Logger;
}

/** One process's access to PostgreSQL: pools, read routing and pub/sub. */
export interface Database {
  /** The primary pool; all writes, transactions and token lookups go here. */
  readonly sql: Sql;
  /** Read routing (replica with fallback to the primary). */
  readonly read: ReadRunner;
  /** Whether this is the embedded PGlite (single backend, in-process notification bus). */
  readonly embedded: boolean;
  /**
   * Subscribes to a NOTIFY channel. Never rejects: while the database is unreachable it keeps retrying in the
   * background and calls `onListen` once subscribed.
   */
  listen(channel: string, handler: NotificationHandler, options?: ListenOptions): Promise<Unlisten>;
  /** Sends a NOTIFY on the primary; every subscriber in every process (this one included) receives it. */
  notify(channel: string, payload: string): Promise<Result<void, StorageError>>;
  /** Ends all pools, waiting at most five seconds for running queries. */
  close(): Promise<void>;
}

type PoolOptions = postgres.Options<Record<string, postgres.PostgresType>>;

const REPLICA_COOL_DOWN_MS = 10_000;
/**
 * A replica that accepts connections but never answers (a network partition) would otherwise hold each read for the
 * whole connect timeout; past this the read goes to the primary and the replica is skipped for the cool-down.
 */
const REPLICA_DEADLINE_MS = 2_000;
const RELISTEN_DELAY_MS = 1_000;

/**
 * Opens the pools described by `options`. Nothing connects until the first query, so this never fails; a server
 * that is down shows up as `unavailable` errors from the repositories, and postgres.js reconnects on its own.
 */
export function openDatabase(options: DatabaseOptions): Database {
  const logger = options.logger;
  const embedded = options.embedded === true;
  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  const poolOptions = (maxOpen: number | undefined, maxIdle: number | undefined): PoolOptions => {
    const base: PoolOptions & { onnotify?: (channel: string, payload: string) => void } = {
      max: embedded ? 1 : Math.max(1, maxOpen ?? 10),
      idle_timeout: maxIdle === 0 ? 1 : 60,
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      // postgres.js's default back-off grows to 20 s after a few failed connects, and queries wait behind it, so
      // checks would hang long after the database returned (decisions §5.4). Retry quickly instead: a refused
      // connect costs the server almost nothing, and service comes back within a second of the database.
      backoff: reconnectBackoffSeconds,
      onnotice: (notice) => logger.debug({ notice: notice["message"] }, "postgres notice"),
      // A statement prepared while a table was small (a fresh events table) can cache a generic plan that scans the
      // whole table and keep it as the table grows: measured, thousands of sequential scans reading 80 million rows
      // in a 10 s load test. Custom plans are made for the table as it is at each execution.
      ...(embedded ? {} : { connection: { plan_cache_mode: "force_custom_plan" } }),
    };
    // PGlite returns a NOTIFY only on the connection whose statement raised it, so in embedded mode every pool
    // connection forwards what it receives to the local bus.
    if (embedded) base.onnotify = (channel, payload) => bus.emit(channel, payload);
    return base;
  };

  const sql = postgres(options.url, poolOptions(options.maxOpen, options.maxIdle));
  const replica =
    options.readUrl !== undefined && options.readUrl !== "" && !embedded
      ? postgres(options.readUrl, poolOptions(options.readMaxOpen ?? options.maxOpen, options.readMaxIdle ?? options.maxIdle))
      : undefined;

  let replicaDownUntil = 0;
  const read: ReadRunner = async (query) => {
    if (replica === undefined || Date.now() < replicaDownUntil) return query(sql);
    try {
      return await replicaWithin(query(replica), REPLICA_DEADLINE_MS);
    } catch (error) {
      if (!isConnectionError(error) && !(error instanceof ReplicaTimeout)) throw error;
      // Skip the replica for a while so a dead replica does not cost a connect timeout on every read.
      replicaDownUntil = Date.now() + REPLICA_COOL_DOWN_MS;
      logger.warn({ err: error }, "read replica unavailable; reading from the primary");
      return query(sql);
    }
  };

  const safe = (channel: string, handler: NotificationHandler) => (payload: string) => {
    try {
      handler(payload);
    } catch (error) {
      logger.error({ err: error, channel }, "notification handler failed");
    }
  };

  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const listenedChannels = new Set<string>();
  const listenEmbedded = async (channel: string, handler: NotificationHandler, listenOptions?: ListenOptions): Promise<Unlisten> => {
    const wrapped = safe(channel, handler);
    bus.on(channel, wrapped);
    const subscribe = async (): Promise<void> => {
      if (closed || !bus.listeners(channel).includes(wrapped)) return;
      if (listenedChannels.has(channel)) {
        listenOptions?.onListen?.();
        return;
      }
      try {
        // The embedded backend has one session shared by every connection, so one LISTEN covers the process.
        await sql.unsafe(`LISTEN ${quoteIdentifier(channel)}`);
        listenedChannels.add(channel);
        listenOptions?.onListen?.();
      } catch (error) {
        logger.warn({ err: error, channel }, "LISTEN failed; retrying");
        later(() => void subscribe(), RELISTEN_DELAY_MS);
      }
    };
    await subscribe();
    return async () => {
      bus.off(channel, wrapped);
    };
  };

  const listenServer = async (channel: string, handler: NotificationHandler, listenOptions?: ListenOptions): Promise<Unlisten> => {
    let active: { unlisten: () => Promise<unknown> } | undefined;
    let stopped = false;
    const subscribe = async (): Promise<void> => {
      if (closed || stopped) return;
      try {
        active = await sql.listen(channel, safe(channel, handler), () => listenOptions?.onListen?.());
        if (stopped) await active.unlisten();
      } catch (error) {
        logger.warn({ err: error, channel }, "LISTEN failed; retrying");
        later(() => void subscribe(), RELISTEN_DELAY_MS);
      }
    };
    await subscribe();
    return async () => {
      stopped = true;
      if (active !== undefined) await active.unlisten().catch(() => undefined);
    };
  };

  return {
    sql,
    read,
    embedded,
    listen: embedded ? listenEmbedded : listenServer,
    async notify(channel, payload) {
      try {
        await sql`SELECT pg_notify(${channel}, ${payload})`;
        return ok(undefined);
      } catch (error) {
        const classified = classifyStorageError(error, `NOTIFY ${channel}`);
        if (classified !== undefined) return err(classified);
        return err(storageError("invalid", `NOTIFY ${channel} rejected: ${String((error as Error).message)}`, error));
      }
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      bus.removeAllListeners();
      await Promise.all([sql.end({ timeout: 5 }), replica?.end({ timeout: 5 })]);
    },
  };
}

/** The replica did not answer within its deadline; handled like a connection failure. */
class ReplicaTimeout extends Error {}

function replicaWithin<T>(query: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new ReplicaTimeout(`read replica gave no answer within ${ms} ms`)), ms);
    timer.unref();
    query.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Seconds to wait before the next connect attempt after `retries` consecutive failures: 50 ms more per failure,
 * capped at half a second.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return Math.min(0.05 * Math.max(1, retries), 0.5);
}

/** Quotes a channel name as an SQL identifier (LISTEN takes no bind parameters). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
