/**
 * The deprecated moderator clients of `PS_MODERATOR_ACCESS_TOKENS` (federation.md §8.5, api_storage_config.md §6.3):
 * each `cs-domain:token` pair is checked at start-up with `GET /_matrix/client/v3/account/whoami`, which tells us the
 * moderator user the token acts as. A pair that fails is reported and left out; unlike upstream it does not stop the
 * process, because a revoked moderator token should cost redactions, not the whole policy server.
 */
import type { Logger } from "pino";
import type { SafeFetch } from "../federation/safe-fetch.js";
import { parseUserId } from "../matrix/ids.js";
import { err, ok, type Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { callService, malformed, parseJsonBody, serviceErrorLabel, type ServiceError } from "./service-call.js";

/** A token whose whoami answered: who it acts as, and where to send its requests. */
export interface ModeratorClient {
  readonly domain: string;
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly userId: string;
  readonly userServer: string;
}

/** A pair that could not be used, with the reason (never the token). */
export interface ModeratorClientFailure {
  readonly domain: string;
  readonly message: string;
}

/** Default base URL of a client-server API domain: `https://<domain>`, as upstream. */
export const httpsBaseUrl = (domain: string): string => `https://${domain}`;

/** Asks one token who it is. */
export async function whoami(
  fetch: SafeFetch,
  baseUrl: string,
  accessToken: string,
  timeoutMs = 10_000,
): Promise<Result<string, ServiceError>> {
  const what = `whoami at ${baseUrl}`;
  const response = await callService(fetch, what, {
    url: `${baseUrl.replace(/\/+$/, "")}/_matrix/client/v3/account/whoami`,
    headers: { Authorization: `Bearer ${accessToken}` },
    timeoutMs,
    maxBodyBytes: 64 * 1024,
  });
  if (!response.ok) return response;
  const json = parseJsonBody(response.value, what);
  if (!json.ok) return json;
  const userId = typeof json.value === "object" && json.value !== null ? (json.value as Record<string, unknown>)["user_id"] : undefined;
  if (typeof userId !== "string") return malformed(what, "user_id is missing or not a string");
  if (!parseUserId(userId).ok) return malformed(what, `user_id ${JSON.stringify(userId)} is not a valid user ID`);
  return ok(userId);
}

export interface ResolveModeratorsOptions {
  /** `PS_MODERATOR_ACCESS_TOKENS` as parsed by the config: domain → token. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly fetch: SafeFetch;
  readonly logger: Pick<Logger, "info" | "error">;
  readonly baseUrl?: (domain: string) => string;
  readonly timeoutMs?: number;
  readonly metrics?: IntegrationMetrics;
}

/** Checks every pair in parallel; the usable clients and the failures (each already logged at error level). */
export async function resolveModeratorClients(
  options: ResolveModeratorsOptions,
): Promise<{ readonly clients: readonly ModeratorClient[]; readonly failures: readonly ModeratorClientFailure[] }> {
  const baseUrl = options.baseUrl ?? httpsBaseUrl;
  const checked = await Promise.all(
    [...options.tokens].map(async ([domain, accessToken]): Promise<Result<ModeratorClient, ModeratorClientFailure>> => {
      const url = baseUrl(domain);
      const user = await whoami(options.fetch, url, accessToken, options.timeoutMs);
      options.metrics?.calls.inc({ service: "whoami", outcome: user.ok ? "ok" : serviceErrorLabel(user.error) });
      if (!user.ok) return err({ domain, message: user.error.message });
      const parsed = parseUserId(user.value);
      if (!parsed.ok) return err({ domain, message: parsed.error });
      return ok({ domain, baseUrl: url, accessToken, userId: user.value, userServer: parsed.value.serverName });
    }),
  );
  const clients: ModeratorClient[] = [];
  const failures: ModeratorClientFailure[] = [];
  for (const result of checked) {
    if (result.ok) {
      clients.push(result.value);
      options.logger.info({ domain: result.value.domain, userId: result.value.userId }, "moderator access token is usable");
    } else {
      failures.push(result.error);
      options.logger.error(
        { domain: result.error.domain, error: result.error.message },
        "PS_MODERATOR_ACCESS_TOKENS: this token cannot be used; redactions for its moderator are skipped",
      );
    }
  }
  return { clients, failures };
}

/** The client acting as `userId`, if any token does. */
export function clientFor(clients: readonly ModeratorClient[], userId: string): ModeratorClient | undefined {
  return clients.find((client) => client.userId === userId);
}

/** Where a room's moderator is read from: the rooms repository in production. */
export interface ModeratorLookup {
  get(roomId: string): Promise<Result<{ readonly moderatorUserId: string } | null, { readonly message: string }>>;
}

/** Who may redact in a room, or the redaction outcome label that says why nobody may. */
export type RoomModerator =
  | { readonly ok: true; readonly client: ModeratorClient }
  | { readonly ok: false; readonly outcome: "skipped_unknown_room" | "skipped_no_moderator" | "skipped_moderator_not_configured" }
  | { readonly ok: false; readonly outcome: "failed_storage"; readonly error: string };

/**
 * The room's moderator client: the room must be known, name a moderator, and one of our tokens must act as that
 * user. Shared by the verdict hook (before queueing a redaction) and the job (when it runs, as config may change).
 */
export async function roomModerator(
  rooms: ModeratorLookup,
  clients: readonly ModeratorClient[],
  roomId: string,
): Promise<RoomModerator> {
  const room = await rooms.get(roomId);
  if (!room.ok) return { ok: false, outcome: "failed_storage", error: room.error.message };
  if (room.value === null) return { ok: false, outcome: "skipped_unknown_room" };
  if (room.value.moderatorUserId === "") return { ok: false, outcome: "skipped_no_moderator" };
  const client = clientFor(clients, room.value.moderatorUserId);
  return client === undefined ? { ok: false, outcome: "skipped_moderator_not_configured" } : { ok: true, client };
}
