import { COMMUNITY_OPTIONS } from "../../../config/options.js";
import type { CommunityRecord } from "../../../storage/communities.repo.js";

/** A community as the admin API shows it. The access token (only its hash is stored) is never part of it. */
export interface CommunityJson {
  readonly community_id: string;
  readonly name: string;
  /** The stored overrides only, never merged with the instance values (upstream's contract). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly can_self_join_rooms: boolean;
}

/**
 * Serialises a community. The config keys come out in the option table's order, as upstream re-serialises its
 * struct, rather than in JSONB's storage order; keys the table does not know (written by another server version)
 * follow, sorted, so nothing stored is hidden.
 */
export function communityJson(community: CommunityRecord): CommunityJson {
  return {
    community_id: community.id,
    name: community.name,
    config: orderedConfig(community.config),
    can_self_join_rooms: community.canSelfJoinRooms,
  };
}

function orderedConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of COMMUNITY_OPTIONS.keys()) {
    if (Object.hasOwn(config, key)) ordered[key] = config[key];
  }
  for (const key of Object.keys(config).sort()) {
    if (!Object.hasOwn(ordered, key)) ordered[key] = config[key];
  }
  return ordered;
}
