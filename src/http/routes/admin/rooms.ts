import type { Middleware } from "koa";
import { MatrixError } from "../../matrix-error.js";
import { badState } from "./api-error.js";
import type { AdminDeps } from "./deps.js";
import { describeJson, optionalString, parseAdminJson, readAdminBody, readJsonObject } from "./json-input.js";
import { joinIntoCommunity } from "./join-flow.js";
import { roomJson } from "./room-json.js";
import { orThrow } from "./storage-failure.js";

function roomNotFound(): MatrixError {
  return new MatrixError("M_NOT_FOUND", "Room not found");
}

/** `GET /api/v1/rooms`: every protected room, `[]` when there are none (upstream's Postgres store said `null`). */
export function listRooms(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const rooms = orThrow(await deps.repos.rooms.list());
    ctx.body = rooms.map(roomJson);
  };
}

/** `GET /api/v1/rooms/{roomId}`: one room, or 404 `M_NOT_FOUND` (the setup bot reads 404 as "not protected"). */
export function getRoom(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const room = orThrow(await deps.repos.rooms.get(String(ctx.params["roomId"])));
    if (room === null) throw roomNotFound();
    ctx.body = roomJson(room);
  };
}

/**
 * `POST /api/v1/rooms/{roomId}/join` with `{"community_id"}`: the community must exist (400 `M_BAD_STATE`, checked
 * before the room, as upstream), then the shared join flow answers with the stored room.
 */
export function joinRoom(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const body = await readJsonObject(ctx, "join", { nullMeansEmpty: true });
    const communityId = optionalString(body, "community_id") ?? "";
    const community = communityId === "" ? null : orThrow(await deps.repos.communities.get(communityId));
    if (community === null) throw badState("Community not found");
    const room = await joinIntoCommunity(
      { rooms: deps.repos.rooms, joinRoom: deps.joinRoom, logger: deps.logger, ...timeout(deps) },
      String(ctx.params["roomId"]),
      community.id,
    );
    ctx.body = roomJson(room);
  };
}

function timeout(deps: AdminDeps): { joinTimeoutMs?: number } {
  return deps.joinTimeoutMs === undefined ? {} : { joinTimeoutMs: deps.joinTimeoutMs };
}

/**
 * `POST /api/v1/set_room_moderator` (deprecated) with `{"room_id","moderator_user_id"}`; an empty moderator unsets
 * it. Answers with the request bytes echoed, as upstream does (clients may rely on the echo).
 */
export function setRoomModerator(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const raw = await readAdminBody(ctx);
    const json = parseAdminJson(raw) ?? {};
    if (typeof json !== "object" || Array.isArray(json)) {
      throw new MatrixError("M_BAD_JSON", `The set_room_moderator body must be a JSON object, got ${describeJson(json)}`);
    }
    const roomId = optionalString(json, "room_id") ?? "";
    const moderator = optionalString(json, "moderator_user_id") ?? "";
    const room = roomId === "" ? null : orThrow(await deps.repos.rooms.get(roomId));
    if (room === null) throw roomNotFound();
    orThrow(await deps.repos.rooms.upsert({ ...room, moderatorUserId: moderator }));
    deps.logger.info({ roomId, moderator }, "Set room moderator");
    ctx.type = "application/json";
    ctx.body = raw;
  };
}
