/**
 * The Muninn Hall member directory poller (api_storage_config.md §7, filters.md §5.3): GET
 * `PS_MUNINN_HALL_SOURCE_API_URL` with `Authorization: Bearer PS_MUNINN_HALL_SOURCE_API_KEY`, keep the server names
 * (the directory's keys) and store them as `trust_data('muninn_hall', '')`, where every process reads them. Unlike
 * upstream the poll has a timeout and a size limit, and a non-2xx answer is a failure: a failed or malformed poll
 * keeps the last good directory instead of replacing it.
 */
import type { Logger } from "pino";
import type { SafeFetch } from "../federation/safe-fetch.js";
import { err, ok, type Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { callService, serviceErrorLabel } from "./service-call.js";

/** Where the server names go: the `trust_data` repository's `put` in production. */
export interface MuninnStore {
  put(source: string, key: string, data: unknown): Promise<Result<void, { readonly message: string }>>;
}

export const MUNINN_SOURCE = "muninn_hall";

/**
 * Parses the bare directory: a JSON object of server name → array of user-ID strings (null tolerated, as Go decodes
 * it). `{}` is a valid, empty directory. The error says what was wrong, e.g. a Matrix error body.
 */
export function parseMuninnDirectory(body: Buffer): Result<string[], string> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return err("the member directory is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return err("the member directory must be a JSON object");
  const servers: string[] = [];
  for (const [server, members] of Object.entries(json as Record<string, unknown>)) {
    if (members !== null && !(Array.isArray(members) && members.every((m) => typeof m === "string"))) {
      return err(`the member directory entry for ${JSON.stringify(server)} must be an array of user ID strings`);
    }
    servers.push(server);
  }
  return ok(servers.sort());
}

export interface MuninnPollOptions {
  readonly fetch: SafeFetch;
  readonly url: string;
  readonly apiKey: string;
  readonly store: MuninnStore;
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 8 MiB. */
  readonly maxBytes?: number;
  readonly metrics?: IntegrationMetrics;
}

/** One poll: fetch, validate, store. Returns how many servers were stored; on any error nothing is written. */
export async function pollMuninnOnce(options: MuninnPollOptions): Promise<Result<number, string>> {
  const response = await callService(options.fetch, "Muninn Hall member directory", {
    url: options.url,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBodyBytes: options.maxBytes ?? 8 * 1024 * 1024,
  });
  if (!response.ok) {
    options.metrics?.calls.inc({ service: "muninn", outcome: serviceErrorLabel(response.error) });
    return err(response.error.message);
  }
  const servers = parseMuninnDirectory(response.value.body);
  options.metrics?.calls.inc({ service: "muninn", outcome: servers.ok ? "ok" : "malformed" });
  if (!servers.ok) return err(`Muninn Hall member directory: ${servers.error}`);
  const stored = await options.store.put(MUNINN_SOURCE, "", { server_names: servers.value });
  if (!stored.ok) return err(`storing the Muninn Hall member directory failed: ${stored.error.message}`);
  return ok(servers.value.length);
}

export interface MuninnPollerOptions extends Omit<MuninnPollOptions, "url" | "apiKey"> {
  /** `PS_MUNINN_HALL_SOURCE_API_URL`; polling is off when this or the key is empty. */
  readonly url: string | undefined;
  readonly apiKey: string | undefined;
  readonly logger: Pick<Logger, "info" | "warn">;
  /** Called after each stored poll (the lead passes the trust cache's refresh, so this process sees it at once). */
  readonly onUpdated?: () => void | Promise<void>;
  /** Random in [0, 1) for the jitter; default Math.random. */
  readonly random?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => { unref?: () => void };
  readonly clearTimer?: (handle: unknown) => void;
}

export interface MuninnPoller {
  /** Whether polling is configured at all. */
  readonly enabled: boolean;
  /** Polls now (also used by the schedule); never rejects. */
  pollNow(): Promise<Result<number, string>>;
  stop(): Promise<void>;
}

/**
 * Starts the schedule: a first poll 0–9 s after start, then every 50–70 minutes (fresh jitter each time, so several
 * processes drift apart as upstream intends). Each process polls; the store is shared, last writer wins.
 */
export function startMuninnPoller(options: MuninnPollerOptions): MuninnPoller {
  const { url, apiKey } = options;
  if (url === undefined || url === "" || apiKey === undefined || apiKey === "") {
    options.logger.info("Muninn Hall polling is off: PS_MUNINN_HALL_SOURCE_API_URL or PS_MUNINN_HALL_SOURCE_API_KEY is empty");
    return { enabled: false, pollNow: () => Promise.resolve(err("Muninn Hall polling is not configured")), stop: () => Promise.resolve() };
  }
  const random = options.random ?? Math.random;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as NodeJS.Timeout));
  let timer: unknown;
  let stopped = false;
  let running: Promise<Result<number, string>> | undefined;

  const pollNow = (): Promise<Result<number, string>> => {
    running ??= (async () => {
      options.logger.info("Fetching Muninn Hall members");
      const result = await pollMuninnOnce({ ...options, url, apiKey }).catch((error: unknown) => err(String(error)));
      if (result.ok) {
        options.logger.info({ servers: result.value }, "Finished fetching Muninn Hall members");
        await Promise.resolve(options.onUpdated?.()).catch((error: unknown) =>
          options.logger.warn({ err: error }, "refreshing trust data after the Muninn Hall poll failed"),
        );
      } else {
        options.logger.warn({ error: result.error }, "Muninn Hall poll failed; keeping the last good member directory");
      }
      return result;
    })().finally(() => (running = undefined));
    return running;
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    const handle = setTimer(() => {
      void pollNow().then(() => schedule((50 + random() * 20) * 60_000));
    }, ms);
    handle.unref?.();
    timer = handle;
  };
  schedule(Math.floor(random() * 10) * 1000);
  return {
    enabled: true,
    pollNow,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimer(timer);
      await running;
    },
  };
}
