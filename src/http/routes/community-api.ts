import { Router } from "@koa/router";
import type { Context, Middleware } from "koa";
import type { CommunityConfig, InstanceFilterSettings } from "../../config/community-config.js";
import { FILTERS } from "../../filters/registry.js";
import { HARM_OTHER } from "../../harms/content-info.js";
import type { Logger } from "../../observability/logger.js";
import { evaluateText } from "../../pipeline/evaluate.js";
import { buildFilterPlan } from "../../pipeline/plan.js";
import type { EventChecker } from "../../policy/ports.js";
import type { CommunityRecord } from "../../storage/communities.repo.js";
import type { Repositories } from "../../storage/repositories.js";
import { bearerToken, notAllowed } from "../admin-auth.js";
import { MatrixError } from "../matrix-error.js";
import { createCheckContextLoader, type CheckContextLoader } from "./admin/check-context.js";
import { TIMED_OUT, withDeadline } from "./admin/deadline.js";
import { describeJson, readAdminBody, readJsonObject } from "./admin/json-input.js";
import { joinIntoCommunity, type JoinRoom } from "./admin/join-flow.js";
import { roomJson } from "./admin/room-json.js";
import { orThrow, storageFailure } from "./admin/storage-failure.js";
import type { FetchEvent } from "./community-api-event-fetch.js";

/** Everything the server-centric API needs, passed explicitly by the composition root. */
export interface CommunityApiDeps {
  readonly repos: Pick<Repositories, "communities" | "rooms" | "verdicts" | "keywordTemplates" | "trustData" | "roomState">;
  readonly communityDefaults: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly logger: Logger;
  readonly joinRoom: JoinRoom;
  /** Fetches an unseen event over federation (see `createEventFetcher`). */
  readonly fetchEvent: FetchEvent;
  /** The runtime's event check (singleflight per event, verdict stored, hellbans applied): a real check. */
  readonly checker: EventChecker;
  /** Bound on the token lookup (upstream: 2 s). */
  readonly tokenLookupTimeoutMs?: number;
  /** Bound on fetching and checking one event before 408 (default 30 s). */
  readonly checkTimeoutMs?: number;
  readonly joinTimeoutMs?: number;
}

const FORBIDDEN_MESSAGE = "This message is not allowed by the policy server";

/**
 * The server-centric API under `/_policyserv/v1` (api_storage_config.md §2), served whatever `PS_API_KEY` says and
 * authenticated by a community access token: `Authorization: Bearer <token>`, looked up by its hash on the primary
 * so a rotated token stops working at once. Unlike upstream, the `Bearer ` prefix is required.
 */
export function communityApiRouter(deps: CommunityApiDeps): Router {
  const router = new Router({ strict: true });
  const auth = communityAuth(deps);
  const context = createCheckContextLoader(deps);
  router.post("/_policyserv/v1/check/text", auth, checkText(deps, context));
  router.post("/_policyserv/v1/check/event_id", auth, checkEventId(deps));
  router.post("/_policyserv/v1/join/:roomId", auth, selfJoin(deps));
  return router;
}

function communityOf(ctx: Context): CommunityRecord {
  const community: unknown = ctx.state["community"];
  if (community === undefined) throw new Error("community API handler ran without authentication");
  return community as CommunityRecord;
}

function communityAuth(deps: CommunityApiDeps): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get("Authorization") || undefined);
    if (token === undefined) throw notAllowed();
    const found = await withDeadline(deps.repos.communities.findByAccessToken(token), deps.tokenLookupTimeoutMs ?? 2000);
    if (found === TIMED_OUT) throw new MatrixError("M_UNAVAILABLE", "The token lookup timed out; retry shortly");
    if (!found.ok) throw storageFailure(found.error);
    if (found.value === null) throw notAllowed();
    ctx.state["community"] = found.value;
    await next();
  };
}

/**
 * `POST /_policyserv/v1/check/text`: the raw body (any content type, not JSON) is checked as text by the
 * community's filters that have a text mode. Spam → 400 `ORG.MATRIX.MSC4387_SAFETY` with the harms; else `{}`.
 * Nothing is stored and no webhook is sent.
 */
function checkText(deps: CommunityApiDeps, context: CheckContextLoader): Middleware {
  return async (ctx) => {
    const community = communityOf(ctx);
    const raw = await readAdminBody(ctx);
    const text = raw.toString("utf8");
    const config = context.effectiveConfig(community.config);
    const keywordTemplates = await context.keywordTemplates();
    const plan = buildFilterPlan(FILTERS, config, deps.instance);
    const verdict = await evaluateText(plan, text, config, { keywordTemplates });
    if (verdict.failure !== undefined) {
      deps.logger.error({ communityId: community.id, filter: verdict.failure.filter, reason: verdict.failure.message }, "Text check failed");
      throw new MatrixError("M_UNKNOWN", "Error");
    }
    if (verdict.spam) {
      throw new MatrixError("ORG.MATRIX.MSC4387_SAFETY", "Text is probably spammy", {
        extra: { "org.matrix.msc4387.harms": harmsOf(verdict.info.harms) },
      });
    }
    ctx.body = {};
  };
}

function harmsOf(harms: readonly string[]): string[] {
  return harms.length === 0 ? [HARM_OTHER] : [...harms];
}

function forbidden(harms: readonly string[]): MatrixError {
  // 400, not the table's 403: upstream and the stable sign endpoint refuse content with 400 M_FORBIDDEN.
  return new MatrixError("M_FORBIDDEN", FORBIDDEN_MESSAGE, { status: 400, extra: { "org.matrix.msc4387.harms": harmsOf(harms) } });
}

function timedOut(): MatrixError {
  return new MatrixError("M_UNKNOWN", "Request timed out", { status: 408 });
}

/**
 * `POST /_policyserv/v1/check/event_id` with `{"event_id"}`: a stored verdict answers at once (mapped by its class,
 * avoiding upstream's decode bug that made every stored verdict "prohibited"); otherwise the event is fetched over
 * federation and checked exactly like an MSC4284 check. Prohibited → 400 `M_FORBIDDEN` with harms; else `{}`.
 */
function checkEventId(deps: CommunityApiDeps): Middleware {
  return async (ctx) => {
    const body = await readJsonObject(ctx, "check/event_id", { nullMeansEmpty: true });
    const eventId = body["event_id"];
    if (eventId === undefined || eventId === null) throw new MatrixError("M_MISSING_PARAM", "event_id is required");
    if (typeof eventId !== "string") throw new MatrixError("M_BAD_JSON", `event_id must be a string, got ${describeJson(eventId)}`);
    if (!eventId.startsWith("$") || eventId.length < 2) {
      throw new MatrixError("M_INVALID_PARAM", `event_id ${JSON.stringify(eventId)} is not an event ID (it must start with "$")`);
    }
    const stored = orThrow(await deps.repos.verdicts.get(eventId));
    if (stored !== null) {
      if (stored.info.class === "Prohibited") throw forbidden(stored.info.harms);
      ctx.body = {};
      return;
    }
    const deadline = Date.now() + (deps.checkTimeoutMs ?? 30_000);
    const fetched = await withDeadline(deps.fetchEvent(eventId), deadline - Date.now());
    if (fetched === TIMED_OUT) throw timedOut();
    if (!fetched.ok) throw new MatrixError("M_UNKNOWN", "Error", { cause: fetched.error });
    if (fetched.value.kind === "refused") throw forbidden([]);
    const { event, communityId } = fetched.value;
    const outcome = await withDeadline(deps.checker.checkEvent({ event, communityId }), Math.max(0, deadline - Date.now()));
    if (outcome === TIMED_OUT) throw timedOut();
    switch (outcome.type) {
      case "overloaded":
        throw new MatrixError("M_LIMIT_EXCEEDED", "Too many events are being checked right now; retry shortly", {
          extra: { retry_after_ms: 1000 },
        });
      case "unavailable":
        throw new MatrixError("M_UNAVAILABLE", "The policy server cannot check events right now; retry shortly");
      case "verdict": {
        const { verdict } = outcome;
        if (verdict.failure !== undefined) {
          deps.logger.error({ eventId, filter: verdict.failure.filter, reason: verdict.failure.message }, "Event check failed");
          throw new MatrixError("M_UNKNOWN", "Error");
        }
        if (verdict.spam) throw forbidden(verdict.info.harms);
        ctx.body = {};
      }
    }
  };
}

/**
 * `POST /_policyserv/v1/join/{roomId}`: a community allowed to (`can_self_join_rooms`) adds a room to itself.
 * Permission is checked before the room (403 first, as upstream); the body is ignored.
 */
function selfJoin(deps: CommunityApiDeps): Middleware {
  return async (ctx) => {
    const community = communityOf(ctx);
    if (!community.canSelfJoinRooms) throw new MatrixError("M_FORBIDDEN", "This community cannot self-serve add rooms");
    const room = await joinIntoCommunity(
      {
        rooms: deps.repos.rooms,
        joinRoom: deps.joinRoom,
        logger: deps.logger,
        ...(deps.joinTimeoutMs === undefined ? {} : { joinTimeoutMs: deps.joinTimeoutMs }),
      },
      String(ctx.params["roomId"]),
      community.id,
    );
    ctx.body = roomJson(room);
  };
}
