import type { Middleware } from "koa";
import { effectiveCommunityConfig, validateOverrides } from "../../../config/layering.js";
import { dryRun, dryRunEvent, type DryRunInput } from "../../../pipeline/dry-run.js";
import { MatrixError } from "../../matrix-error.js";
import type { CheckContextLoader } from "./check-context.js";
import { loadCommunity } from "./communities.js";
import type { AdminDeps } from "./deps.js";
import { reportIgnoredKeys } from "./ignored-keys.js";
import { describeJson, readJsonObject, unknownKeys } from "./json-input.js";
import { overrideErrors } from "./override-errors.js";
import { orThrow } from "./storage-failure.js";

/**
 * `POST /api/v1/communities/{id}/check` (decisions §7.1) with `{"event": {...}, "config": {...}}`: evaluates the
 * event against the community's effective config with the given overrides laid on top, and with what we learned of
 * the event's room when we protect it. Answers `{"spam","class","score","harms","trace"}`, plus `effects` a live
 * check would have applied and `failure` when a filter failed. Stores nothing, touches no counter and no hellban.
 */
export function dryRunCheck(deps: AdminDeps, context: CheckContextLoader): Middleware {
  return async (ctx) => {
    const community = await loadCommunity(deps, String(ctx.params["id"]));
    const body = await readJsonObject(ctx, "check", { nullMeansEmpty: false });
    const event = dryRunEvent(body["event"]);
    if (!event.ok) {
      const given = body["event"] === undefined ? "it is missing" : `got ${describeJson(body["event"])}`;
      throw new MatrixError(body["event"] === undefined ? "M_MISSING_PARAM" : "M_BAD_JSON", `event: ${event.error} (${given})`);
    }
    const rawConfig = body["config"] ?? null;
    const overrides = validateOverrides(rawConfig);
    if (!overrides.ok) throw overrideErrors(overrides.error, "config.");
    reportIgnoredKeys(
      ctx,
      deps.logger,
      [...unknownKeys(body, ["event", "config"]), ...overrides.value.unknownKeys.map((key) => `config.${key}`)],
      "dry-run check",
    );
    const config = effectiveCommunityConfig(context.effectiveConfig(community.config), overrides.value.overrides);
    const [keywordTemplates, muninnServers, banRules] = await Promise.all([
      context.keywordTemplates(),
      context.muninnServers(),
      context.banRules(),
    ]);
    const input: DryRunInput = {
      event: event.value,
      config,
      instance: deps.instance,
      keywordTemplates,
      muninnServers,
      banRules,
      now: (deps.clock ?? Date.now)(),
      ...(await roomOf(deps, context, event.value["room_id"])),
    };
    const result = await dryRun(input);
    ctx.body = {
      spam: result.spam,
      class: result.class,
      score: result.score,
      harms: result.harms,
      trace: result.trace,
      ...(result.effects.length > 0 ? { effects: result.effects } : {}),
      ...(result.failure !== undefined ? { failure: result.failure } : {}),
    };
  };
}

async function roomOf(
  deps: AdminDeps,
  context: CheckContextLoader,
  roomId: unknown,
): Promise<Pick<DryRunInput, "room" | "roomVersion">> {
  if (typeof roomId !== "string" || roomId === "") return {};
  const room = orThrow(await deps.repos.rooms.get(roomId));
  if (room === null) return {};
  const facts = await context.roomFacts(roomId);
  return facts === undefined ? { roomVersion: room.roomVersion } : { roomVersion: room.roomVersion, room: facts };
}
