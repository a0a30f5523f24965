/**
 * Start-up joins of `PS_JOIN_ROOM_IDS` (federation.md §6.1, decisions §4b.5): in the background, into the
 * `default` community, skipping rooms already stored (their community is never changed). Unlike upstream, which
 * gives up after 7 tries and exits the process, a failing room is retried forever with exponential back-off and
 * reported in the logs: one unreachable room must not take down protection for every other room.
 */
import type { Result } from "../result.js";
import type { RoomRecord, RoomsRepo } from "../storage/rooms.repo.js";
import { DEFAULT_COMMUNITY_ID } from "./default-community.js";
import type { JoinError } from "./join.js";
import type { RoomsLogger } from "./ports.js";

export interface StartupJoinsDeps {
  /** `PS_JOIN_ROOM_IDS`, in order. */
  readonly roomIds: readonly string[];
  /** The bound joiner (`createJoiner`). */
  readonly join: (roomId: string, communityId: string) => Promise<Result<RoomRecord, JoinError>>;
  readonly rooms: Pick<RoomsRepo, "get">;
  /** Recreates the `default` community if it is missing (`ensureDefaultCommunity(sql)`). */
  readonly ensureDefaultCommunity: () => Promise<Result<void, { readonly message: string }>>;
  readonly logger: RoomsLogger;
  /** Wait before the first join, so the listeners are up when resident servers call back. Default 15 s (upstream). */
  readonly initialDelayMs?: number;
  /** First retry delay, doubled after each failure up to `maxRetryDelayMs`. Defaults 1 s and 5 min. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Failures logged as warnings before they become errors (upstream's fatal point was 7 attempts). */
  readonly warnAttempts?: number;
}

/** The background join task. */
export interface StartupJoins {
  /** Settles when every room is joined or skipped (or the task was stopped). Never rejects. */
  readonly done: Promise<void>;
  /** Stops retrying and waits for the attempts under way to finish. */
  stop(): Promise<void>;
}

/** Starts the start-up joins in the background and returns at once. */
export function startStartupJoins(deps: StartupJoinsDeps): StartupJoins {
  const controller = new AbortController();
  const signal = controller.signal;
  let defaultReady: Promise<boolean> | undefined;

  const ensureDefault = (): Promise<boolean> => {
    defaultReady ??= deps.ensureDefaultCommunity().then((res) => {
      if (res.ok) return true;
      defaultReady = undefined; // try again on the next attempt
      deps.logger.warn({ error: res.error.message }, "could not make sure the default community exists");
      return false;
    });
    return defaultReady;
  };

  const joinOne = async (roomId: string): Promise<void> => {
    const base = deps.retryDelayMs ?? 1_000;
    const max = deps.maxRetryDelayMs ?? 5 * 60_000;
    const warnAttempts = deps.warnAttempts ?? 7;
    for (let attempt = 1; !signal.aborted; attempt++) {
      const outcome = await tryJoin(roomId);
      if (outcome.done) return;
      const delay = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
      const level = attempt >= warnAttempts ? "error" : "warn";
      deps.logger[level]({ roomId, attempt, retryInMs: delay, error: outcome.error }, "start-up join failed; will retry");
      await sleep(delay, signal);
    }
  };

  const tryJoin = async (roomId: string): Promise<{ done: true } | { done: false; error: string }> => {
    const existing = await deps.rooms.get(roomId);
    if (!existing.ok) return { done: false, error: existing.error.message };
    if (existing.value !== null) {
      deps.logger.info({ roomId, communityId: existing.value.communityId }, "start-up join skipped: room already known");
      return { done: true };
    }
    if (!(await ensureDefault())) return { done: false, error: "the default community is not available" };
    const joined = await deps.join(roomId, DEFAULT_COMMUNITY_ID);
    if (joined.ok) {
      deps.logger.info({ roomId, roomVersion: joined.value.roomVersion }, "start-up join succeeded");
      return { done: true };
    }
    if (!joined.error.retryable) {
      // "Room already exists" means another process (or the admin API) joined it meanwhile: that is success.
      const alreadyThere = joined.error.errcode === "M_BAD_STATE" && joined.error.message === "Room already exists";
      if (alreadyThere) deps.logger.info({ roomId }, "start-up join skipped: room joined meanwhile");
      else deps.logger.error({ roomId, error: joined.error.message }, "start-up join cannot succeed; not retrying");
      return { done: true };
    }
    return { done: false, error: joined.error.message };
  };

  const run = async (): Promise<void> => {
    await sleep(deps.initialDelayMs ?? 15_000, signal);
    const unique = [...new Set(deps.roomIds)];
    await Promise.all(
      unique.map((roomId) =>
        joinOne(roomId).catch((error: unknown) => {
          // A bug in a dependency must not become an unhandled rejection that kills the process.
          deps.logger.error({ roomId, err: error }, "start-up join crashed; not retrying");
        }),
      ),
    );
  };

  const done = run();
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (stop() is how shutdown ends the waits). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
    signal.addEventListener("abort", finish, { once: true });
  });
}
