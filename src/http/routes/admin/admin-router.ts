import { Router } from "@koa/router";
import type { Middleware } from "koa";
import { instanceCommunityConfigJson } from "../../../config/docs.js";
import { adminAuth } from "../../admin-auth.js";
import { methodNotAllowed } from "../../matrix-error.js";
import { createCheckContextLoader } from "./check-context.js";
import { createCommunity, getCommunity, patchCommunity, rotateAccessToken, setCommunityConfig } from "./communities.js";
import type { AdminDeps } from "./deps.js";
import { dryRunCheck } from "./dry-run-check.js";
import { getKeywordTemplate, putKeywordTemplate } from "./keyword-templates.js";
import { setMuninnDirectory } from "./muninn.js";
import { getRoom, joinRoom, listRooms, setRoomModerator } from "./rooms.js";

/**
 * The admin API under `/api/v1` (api_storage_config.md §1, decisions §1.4, §7.1). With no API key it has no routes
 * at all, so every `/api/v1` path falls through to the app's 404 `M_UNRECOGNIZED`, exactly like an unknown path.
 *
 * Only the real methods are registered: the app answers 405 for a known path with another method, and auth is a
 * per-route middleware that runs after matching, so a wrong method is 405 even without a token. Koa's router adds
 * HEAD to every GET route; upstream compares methods exactly, so HEAD is turned away (405) before auth as well.
 */
export function adminRouter(deps: AdminDeps): Router {
  const router = new Router({ strict: true });
  if (deps.apiKey === undefined || deps.apiKey === "") return router;
  const auth = adminAuth(deps.apiKey);
  const context = createCheckContextLoader(deps);
  const communityConfig = instanceCommunityConfigJson(deps.communityDefaults);

  router.post("/api/v1/set_room_moderator", auth, setRoomModerator(deps));
  router.get("/api/v1/rooms", noHead, auth, listRooms(deps));
  router.get("/api/v1/rooms/:roomId", noHead, auth, getRoom(deps));
  router.post("/api/v1/rooms/:roomId/join", auth, joinRoom(deps));

  // `new` is a literal segment upstream, so it never reaches the `{id}` handlers: GET or PATCH of it is 405.
  router.get("/api/v1/communities/new", wrongMethod);
  router.patch("/api/v1/communities/new", wrongMethod);
  router.post("/api/v1/communities/new", auth, createCommunity(deps));
  router.get("/api/v1/communities/:id", noHead, auth, getCommunity(deps));
  router.patch("/api/v1/communities/:id", auth, patchCommunity(deps));
  router.post("/api/v1/communities/:id/config", auth, setCommunityConfig(deps));
  router.post("/api/v1/communities/:id/rotate_access_token", auth, rotateAccessToken(deps));
  router.post("/api/v1/communities/:id/check", auth, dryRunCheck(deps, context));

  router.get("/api/v1/instance/community_config", noHead, auth, (ctx) => {
    ctx.body = communityConfig;
  });
  router.post("/api/v1/sources/muninn/set_member_directory_event", auth, setMuninnDirectory(deps));
  router.get("/api/v1/keyword_templates/:name", noHead, auth, getKeywordTemplate(deps));
  router.post("/api/v1/keyword_templates/:name", auth, putKeywordTemplate(deps));
  return router;
}

const wrongMethod: Middleware = () => {
  throw methodNotAllowed();
};

const noHead: Middleware = async (ctx, next) => {
  if (ctx.method === "HEAD") throw methodNotAllowed();
  await next();
};
