import type { Logger } from "../observability/logger.js";
import type { Result } from "../result.js";
import type { Database, ListenOptions, Unlisten } from "./database.js";
import { decodeHellbanPayload, encodeHellbanPayload, type HellbanNotice } from "./hellban-payload.js";
import type { StorageError } from "./storage-error.js";

/** Upstream's NOTIFY channel names (api_storage_config §4.6); a Go and a TS process can share one database. */
export const CHANNELS = {
  /** Payload: community ID. Sent by the trigger on `communities.config` when the value changed. */
  communityConfigChanged: "policyserv_community_config_changed",
  /** Payload: room ID. Sent by the trigger on `rooms.community_id` when the value changed. */
  roomCommunityChanged: "policyserv_room_community_id_changed",
  /** Payload: CSV `community,user\n`. Sent by our `hellbans` trigger, and by upstream processes in app code. */
  hellban: "policyserv_hellban_by_community",
  /**
   * Payload: empty. Ours (upstream has no such signal): sent by the process that changed a keyword template, so
   * every other process recompiles its communities' templates.
   */
  keywordTemplatesChanged: "policyserv_keyword_templates_changed",
  /** Payload: destination server name. Sent by the trigger on `destination_edus` inserts. */
  eduForDestination: "policyserv_edu_for_destination",
} as const;

/** Typed subscriptions to the cross-process signals (decisions §5.3). Each subscriber receives its own process's too. */
export interface PubSub {
  onCommunityConfigChanged(handler: (communityId: string) => void, options?: ListenOptions): Promise<Unlisten>;
  onRoomCommunityChanged(handler: (roomId: string) => void, options?: ListenOptions): Promise<Unlisten>;
  /** Malformed payloads are logged and dropped. */
  onHellban(handler: (notice: HellbanNotice) => void, options?: ListenOptions): Promise<Unlisten>;
  onEduForDestination(handler: (destination: string) => void, options?: ListenOptions): Promise<Unlisten>;
  onKeywordTemplatesChanged(handler: () => void, options?: ListenOptions): Promise<Unlisten>;
  /** Announces that keyword templates changed (there is no trigger for them). */
  publishKeywordTemplatesChanged(): Promise<Result<void, StorageError>>;
  /**
   * Announces that a room's community changed, as the `rooms` UPDATE trigger does; for a newly inserted room, which
   * the trigger does not cover, so other processes stop treating it as unprotected at once.
   */
  publishRoomCommunityChanged(roomId: string): Promise<Result<void, StorageError>>;
  /**
   * Announces a hellban the way upstream's postfilter does. Writing a row through the hellbans repository already
   * announces it (trigger); this is for a ban that has no row, e.g. while the database is catching up.
   */
  publishHellban(notice: HellbanNotice): Promise<Result<void, StorageError>>;
}

/** Builds the typed pub/sub over a Database's `listen`/`notify`. */
export function createPubSub(db: Pick<Database, "listen" | "notify">, logger: Logger): PubSub {
  return {
    onCommunityConfigChanged: (handler, options) => db.listen(CHANNELS.communityConfigChanged, handler, options),
    onRoomCommunityChanged: (handler, options) => db.listen(CHANNELS.roomCommunityChanged, handler, options),
    onEduForDestination: (handler, options) => db.listen(CHANNELS.eduForDestination, handler, options),
    onHellban: (handler, options) =>
      db.listen(
        CHANNELS.hellban,
        (payload) => {
          const notice = decodeHellbanPayload(payload);
          if (notice.ok) handler(notice.value);
          else logger.warn({ channel: CHANNELS.hellban }, notice.error);
        },
        options,
      ),
    publishHellban: (notice) => db.notify(CHANNELS.hellban, encodeHellbanPayload(notice)),
    onKeywordTemplatesChanged: (handler, options) => db.listen(CHANNELS.keywordTemplatesChanged, () => handler(), options),
    publishKeywordTemplatesChanged: () => db.notify(CHANNELS.keywordTemplatesChanged, ""),
    publishRoomCommunityChanged: (roomId) => db.notify(CHANNELS.roomCommunityChanged, roomId),
  };
}
