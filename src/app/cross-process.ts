import type { Logger } from "../observability/logger.js";
import type { Result } from "../result.js";
import type { Unlisten } from "../storage/database.js";
import type { PubSub } from "../storage/pubsub.js";
import type { HellbansRepo } from "../storage/hellbans.repo.js";

/** What the signals act on; structural, so src/ never imports the actor runtime. */
export interface CrossProcessTargets {
  readonly reloadCommunity: (communityId: string) => Promise<Result<void, string>>;
  /** Reloads every community (config and compiled keyword templates). */
  readonly reloadAllCommunities: () => Promise<void>;
  readonly hellbanNotified: (communityId: string, userId: string) => Promise<Result<void, string>>;
  readonly invalidateRoom: (roomId: string) => void;
  readonly forgetAllRooms: () => void;
}

export interface CrossProcessDeps {
  readonly pubsub: PubSub;
  readonly hellbans: Pick<HellbansRepo, "listActive">;
  readonly targets: CrossProcessTargets;
  readonly logger: Logger;
}

/**
 * Subscribes to every cross-process signal (decisions §5.3) and, each time a subscription becomes active again
 * after a lost connection, catches up by reading what the signals would have said: NOTIFY is fire-and-forget, so a
 * notification sent while this process was disconnected is gone, and never relying on it alone is what keeps a
 * hellban, a config change or a room joined through another process honoured here. The first activation also
 * catches up; that costs one read at start-up and closes the window between loading and subscribing.
 */
export async function wireCrossProcessSignals(deps: CrossProcessDeps): Promise<Unlisten> {
  const { pubsub, targets, logger } = deps;
  const reloadOne = (communityId: string): void => {
    void targets.reloadCommunity(communityId).then((result) => {
      if (!result.ok) logger.warn({ communityId, error: result.error }, "could not reload a changed community");
    });
  };
  const reloadAll = (why: string) => (): void => {
    void targets.reloadAllCommunities().catch((error: unknown) => logger.error({ err: error, why }, "community reload failed"));
  };
  const adoptBan = (communityId: string, userId: string): Promise<void> =>
    targets.hellbanNotified(communityId, userId).then((result) => {
      if (!result.ok) logger.warn({ error: result.error }, "could not load an announced hellban");
    });
  const catchUpHellbans = (): void => {
    void deps.hellbans.listActive().then(async (rows) => {
      if (!rows.ok) return logger.warn({ error: rows.error.message }, "could not catch up on hellbans after reconnecting");
      for (const row of rows.value) await adoptBan(row.communityId, row.userId);
    });
  };
  const unlisten = await Promise.all([
    pubsub.onCommunityConfigChanged(reloadOne, { onListen: reloadAll("community config listener (re)connected") }),
    pubsub.onKeywordTemplatesChanged(reloadAll("keyword templates changed"), {
      onListen: reloadAll("keyword template listener (re)connected"),
    }),
    pubsub.onRoomCommunityChanged(targets.invalidateRoom, { onListen: targets.forgetAllRooms }),
    pubsub.onHellban((notice) => void adoptBan(notice.communityId, notice.userId), { onListen: catchUpHellbans }),
  ]);
  return async () => {
    await Promise.all(unlisten.map((stop) => stop()));
  };
}
