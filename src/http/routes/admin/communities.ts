import type { Middleware } from "koa";
import { COMMUNITY_OPTIONS } from "../../../config/options.js";
import { validateOverrides } from "../../../config/layering.js";
import type { CommunityPatch, CommunityRecord } from "../../../storage/communities.repo.js";
import type { StorageError } from "../../../storage/storage-error.js";
import type { Result } from "../../../result.js";
import { MatrixError } from "../../matrix-error.js";
import { communityJson } from "./community-json.js";
import { validateCommunityName } from "./community-name.js";
import { runHook, type AdminDeps } from "./deps.js";
import { reportIgnoredKeys } from "./ignored-keys.js";
import { describeJson, optionalBoolean, optionalString, readJsonObject, unknownKeys, type JsonRecord } from "./json-input.js";
import { overrideErrors } from "./override-errors.js";
import { orThrow, storageFailure } from "./storage-failure.js";

/** Upstream's 404 for an unknown community on every community endpoint. */
export function communityNotFound(): MatrixError {
  return new MatrixError("M_NOT_FOUND", "Community not found");
}

/** A loaded community, or 404. */
export async function loadCommunity(deps: Pick<AdminDeps, "repos">, id: string): Promise<CommunityRecord> {
  const community = orThrow(await deps.repos.communities.get(id));
  if (community === null) throw communityNotFound();
  return community;
}

/** A write's result, with `not_found` (the community vanished meanwhile) answered as 404. */
function written(result: Result<CommunityRecord, StorageError>): CommunityRecord {
  if (!result.ok) throw result.error.kind === "not_found" ? communityNotFound() : storageFailure(result.error);
  return result.value;
}

/** `POST /api/v1/communities/new` with `{"name"}`: a new community with a KSUID id and no overrides. */
export function createCommunity(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const body = await readJsonObject(ctx, "community", { nullMeansEmpty: true });
    const name = validateCommunityName(optionalString(body, "name"));
    if (!name.ok) throw new MatrixError("M_BAD_JSON", name.error);
    reportIgnoredKeys(ctx, deps.logger, unknownKeys(body, ["name"]), "communities/new");
    const community = orThrow(await deps.repos.communities.create(name.value));
    deps.logger.info({ communityId: community.id, name: community.name }, "Created community");
    ctx.body = communityJson(community);
  };
}

/** `GET /api/v1/communities/{id}`: the community with its stored overrides only. */
export function getCommunity(deps: AdminDeps): Middleware {
  return async (ctx) => {
    ctx.body = communityJson(await loadCommunity(deps, String(ctx.params["id"])));
  };
}

/**
 * `POST /api/v1/communities/{id}/config`: replaces the stored overrides whole (not a merge; `{}` or `null` clears
 * them). The community is looked up before the body is read, as upstream (an unknown id is 404 whatever the body).
 * Every field is type- and range-checked; unknown keys are dropped and reported.
 */
export function setCommunityConfig(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const id = String(ctx.params["id"]);
    await loadCommunity(deps, id);
    const body = await readJsonObject(ctx, "community config", { nullMeansEmpty: true });
    const validated = validateOverrides(body);
    if (!validated.ok) throw overrideErrors(validated.error);
    reportIgnoredKeys(ctx, deps.logger, validated.value.unknownKeys, "community config");
    const community = written(await deps.repos.communities.setConfig(id, validated.value.overrides));
    deps.logger.info({ communityId: id }, "Replaced community config");
    runHook(deps.logger, "onCommunityChanged", () => deps.hooks.onCommunityChanged(id));
    ctx.body = communityJson(community);
  };
}

const PATCH_KEYS = ["name", "can_self_join_rooms", "config"];

/**
 * `PATCH /api/v1/communities/{id}`: changes `name`, `can_self_join_rooms` and merges `config` key by key (a key set
 * to null inherits again; `"config": null` clears every override). `community_id` and tokens cannot be changed and
 * are reported as ignored. Unlike upstream, a `null` body is 400 (upstream crashed) and a new name is checked like a
 * created one. The update is one statement, so concurrent PATCHes of different keys all land.
 */
export function patchCommunity(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const id = String(ctx.params["id"]);
    await loadCommunity(deps, id);
    const body = await readJsonObject(ctx, "community PATCH", { nullMeansEmpty: false });
    const patch = parsePatch(body);
    reportIgnoredKeys(ctx, deps.logger, [...unknownKeys(body, PATCH_KEYS), ...patch.ignoredConfigKeys], "community PATCH");
    let community: CommunityRecord | undefined;
    if (patch.clearConfig) community = written(await deps.repos.communities.setConfig(id, {}));
    if (Object.keys(patch.patch).length > 0 || community === undefined) {
      community = written(await deps.repos.communities.patch(id, patch.patch));
    }
    deps.logger.info({ communityId: id, keys: Object.keys(body) }, "Patched community");
    runHook(deps.logger, "onCommunityChanged", () => deps.hooks.onCommunityChanged(id));
    ctx.body = communityJson(community);
  };
}

interface ParsedPatch {
  readonly patch: CommunityPatch;
  readonly clearConfig: boolean;
  readonly ignoredConfigKeys: readonly string[];
}

function parsePatch(body: JsonRecord): ParsedPatch {
  const patch: { name?: string; canSelfJoinRooms?: boolean; config?: Record<string, unknown> } = {};
  const rawName = optionalString(body, "name");
  if (rawName !== undefined) {
    const name = validateCommunityName(rawName);
    if (!name.ok) throw new MatrixError("M_BAD_JSON", name.error);
    patch.name = name.value;
  }
  const canSelfJoin = optionalBoolean(body, "can_self_join_rooms");
  if (canSelfJoin !== undefined) patch.canSelfJoinRooms = canSelfJoin;
  const config = body["config"];
  if (config === null) return { patch, clearConfig: true, ignoredConfigKeys: [] };
  if (config === undefined) return { patch, clearConfig: false, ignoredConfigKeys: [] };
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new MatrixError("M_BAD_JSON", `config must be a JSON object, got ${describeJson(config)}`);
  }
  const validated = validateOverrides(config);
  if (!validated.ok) throw overrideErrors(validated.error, "config.");
  // validateOverrides drops nulls; in a PATCH a known key set to null means "inherit again", so keep it as null.
  const cleared = Object.keys(config).filter((key) => config[key] === null && COMMUNITY_OPTIONS.has(key as never));
  patch.config = { ...validated.value.overrides, ...Object.fromEntries(cleared.map((key) => [key, null])) };
  return { patch, clearConfig: false, ignoredConfigKeys: validated.value.unknownKeys.map((key) => `config.${key}`) };
}

/**
 * `POST /api/v1/communities/{id}/rotate_access_token`: issues a new server-centric API token and revokes the old
 * one in the same statement. Only the token's hash is stored, so the old token cannot be echoed back as upstream
 * did: `old_access_token` is always `""`, and `revoked_previous` says whether one existed.
 */
export function rotateAccessToken(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const id = String(ctx.params["id"]);
    const rotated = await deps.repos.communities.rotateAccessToken(id);
    if (!rotated.ok) throw rotated.error.kind === "not_found" ? communityNotFound() : storageFailure(rotated.error);
    deps.logger.info({ communityId: id, revokedPrevious: rotated.value.replacedPrevious }, "Rotated community access token");
    ctx.body = {
      new_access_token: rotated.value.accessToken,
      old_access_token: "",
      revoked_previous: rotated.value.replacedPrevious,
    };
  };
}
