/**
 * Trust sources for the untrusted media filter (filters.md §5). Each source answers "may this user post media in
 * this room?" with `true`, `false` or `undefined` (no opinion).
 *
 * Sources are consulted in order: self-directed globs (deny first, then allow), Muninn Hall servers, then v12
 * creators and power levels. `false` stops the walk (so a deny glob always wins); the user is trusted iff some source
 * said `true` and none said `false` first. With no source saying `true`, the user is untrusted.
 */
import type { CommunityConfig } from "../config/community-config.js";
import { matchesAnyGlob } from "./glob.js";
import { cleanList } from "./text-rules.js";
import type { RoomFacts } from "./types.js";

/** A source's answer: `undefined` means no opinion. */
export type TrustAnswer = boolean | undefined;

/** Deny globs → false, allow globs → true, else no opinion. Globs match the full user ID. */
export function globTrust(userId: string, allowGlobs: readonly string[], denyGlobs: readonly string[]): TrustAnswer {
  if (matchesAnyGlob(denyGlobs, userId)) return false;
  if (matchesAnyGlob(allowGlobs, userId)) return true;
  return undefined;
}

/**
 * True when the user's server name (exact, port included) is a Muninn Hall member. The server name is everything
 * after the first `:` — senders reaching filters have passed the user-ID precheck.
 */
export function muninnTrust(userId: string, muninnServers: ReadonlySet<string>): TrustAnswer {
  const colon = userId.indexOf(":");
  if (colon < 0) return undefined;
  return muninnServers.has(userId.slice(colon + 1)) ? true : undefined;
}

/** v12+ rooms: the create event's sender and `additional_creators` are trusted. */
export function creatorTrust(userId: string, room: RoomFacts): TrustAnswer {
  return room.creators?.includes(userId) === true ? true : undefined;
}

/**
 * Trusted when the user's level (`users[U]`, else `users_default`) is at least `state_default` — upstream's `>=`
 * (the README's "above-default" is looser wording). No known power levels → no opinion.
 */
export function powerLevelTrust(userId: string, room: RoomFacts): TrustAnswer {
  const levels = room.powerLevels;
  if (levels === undefined) return undefined;
  const own = Object.hasOwn(levels.users, userId) ? levels.users[userId] : undefined;
  const level = typeof own === "number" ? own : levels.users_default;
  return level >= levels.state_default ? true : undefined;
}

/** Everything the media trust decision reads. */
export interface MediaTrustInput {
  readonly userId: string;
  readonly config: CommunityConfig;
  readonly room: RoomFacts;
  readonly muninnServers: ReadonlySet<string>;
}

/** Walks the sources in order (see module comment) and answers whether the user may post media. */
export function isTrustedForMedia({ userId, config, room, muninnServers }: MediaTrustInput): boolean {
  const sources: (() => TrustAnswer)[] = [
    () =>
      globTrust(
        userId,
        cleanList(config.untrusted_media_filter_allowed_user_globs),
        cleanList(config.untrusted_media_filter_denied_user_globs),
      ),
  ];
  if (config.untrusted_media_filter_use_muninn) sources.push(() => muninnTrust(userId, muninnServers));
  if (config.untrusted_media_filter_use_power_levels) {
    sources.push(() => creatorTrust(userId, room), () => powerLevelTrust(userId, room));
  }
  let trusted = false;
  for (const source of sources) {
    const answer = source();
    if (answer === false) return false;
    if (answer === true) trusted = true;
  }
  return trusted;
}
