import type { CommunityConfig, InstanceFilterSettings } from "../../../config/community-config.js";
import type { Logger } from "../../../observability/logger.js";
import type { Repositories } from "../../../storage/repositories.js";
import type { LoadRoomFacts } from "./check-context.js";
import type { JoinRoom } from "./join-flow.js";

/**
 * Called after a successful write so this process reloads at once; other processes learn of the change through the
 * storage layer's NOTIFY. A hook that throws or rejects is logged and never fails the request: the write happened.
 */
export interface AdminHooks {
  /** A community's config or permissions changed (the runtime's `reloadCommunity`). */
  onCommunityChanged(communityId: string): void | Promise<void>;
  /** A keyword template was created or replaced. */
  onTemplatesChanged(): void | Promise<void>;
  /** The Muninn Hall member directory was replaced. */
  onTrustDataChanged?(): void | Promise<void>;
}

/** Everything the admin API needs, passed explicitly by the composition root. */
export interface AdminDeps {
  /** `PS_API_KEY`; undefined or empty means the admin API is off and its paths answer 404 M_UNRECOGNIZED. */
  readonly apiKey: string | undefined;
  readonly repos: Pick<Repositories, "rooms" | "communities" | "keywordTemplates" | "trustData" | "roomState">;
  /** The instance layer of community config (`AppConfig.communityDefaults`). */
  readonly communityDefaults: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly logger: Logger;
  readonly hooks: AdminHooks;
  readonly joinRoom: JoinRoom;
  /** Learned room state for the dry run; read from storage when absent. */
  readonly loadRoomFacts?: LoadRoomFacts;
  /** Bound on an API join (default 120 s). */
  readonly joinTimeoutMs?: number;
  /** Milliseconds since the epoch, for the dry run's `now`. */
  readonly clock?: () => number;
}

/** Runs a hook, logging instead of propagating any failure. */
export function runHook(logger: Logger, what: string, hook: () => void | Promise<void>): void {
  try {
    const result = hook();
    if (result instanceof Promise) result.catch((error: unknown) => logger.error({ err: error }, `${what} hook failed`));
  } catch (error) {
    logger.error({ err: error }, `${what} hook failed`);
  }
}
