import type { Middleware } from "koa";
import { compareBytes } from "../../../harms/content-info.js";
import { err, ok, type Result } from "../../../result.js";
import { MatrixError } from "../../matrix-error.js";
import { runHook, type AdminDeps } from "./deps.js";
import { describeJson, readJsonObject, type JsonRecord } from "./json-input.js";
import { orThrow } from "./storage-failure.js";

/** The content key of a Muninn Hall member-directory event. */
export const MEMBER_DIRECTORY_KEY = "com.muninn-hall.member_directory";

/** server name → member user IDs (null kept as upstream decodes it), keys sorted byte-wise. */
export type MemberDirectory = Readonly<Record<string, readonly string[] | null>>;

/**
 * Reads `content["com.muninn-hall.member_directory"]` from an event: absent (or null) is `null`, which wipes the
 * list as upstream does; otherwise an object whose values are arrays of strings or null. The error names the part.
 */
export function parseMemberDirectory(event: JsonRecord): Result<MemberDirectory | null, string> {
  const content = event["content"];
  if (content === undefined || content === null) return ok(null);
  if (typeof content !== "object" || Array.isArray(content)) return err(`content must be an object, got ${describeJson(content)}`);
  const directory = content[MEMBER_DIRECTORY_KEY];
  if (directory === undefined || directory === null) return ok(null);
  if (typeof directory !== "object" || Array.isArray(directory)) {
    return err(`content["${MEMBER_DIRECTORY_KEY}"] must be an object of server name → user IDs, got ${describeJson(directory)}`);
  }
  const parsed: Record<string, readonly string[] | null> = {};
  for (const server of Object.keys(directory).sort(compareBytes)) {
    const members = directory[server];
    if (members === null) parsed[server] = null;
    else if (Array.isArray(members) && members.every((m) => typeof m === "string")) parsed[server] = members as string[];
    else return err(`content["${MEMBER_DIRECTORY_KEY}"][${JSON.stringify(server)}] must be an array of user ID strings, got ${describeJson(members)}`);
  }
  return ok(parsed);
}

/**
 * `POST /api/v1/sources/muninn/set_member_directory_event`: the directory's server names replace the Muninn Hall
 * trust list (`trust_data('muninn_hall','')`), last writer wins against the poller. Answers with upstream's echo of
 * the parsed part only.
 */
export function setMuninnDirectory(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const event = await readJsonObject(ctx, "member directory event", { nullMeansEmpty: true });
    const directory = parseMemberDirectory(event);
    if (!directory.ok) throw new MatrixError("M_BAD_JSON", directory.error);
    const serverNames = directory.value === null ? [] : Object.keys(directory.value);
    orThrow(await deps.repos.trustData.put("muninn_hall", "", { server_names: serverNames }));
    deps.logger.info({ servers: serverNames.length }, "Replaced the Muninn Hall member directory");
    const hook = deps.hooks.onTrustDataChanged;
    if (hook !== undefined) runHook(deps.logger, "onTrustDataChanged", () => hook.call(deps.hooks));
    ctx.body = { content: { [MEMBER_DIRECTORY_KEY]: directory.value } };
  };
}
