import { createCommunitiesRepo, type CommunitiesRepo } from "./communities.repo.js";
import type { Database } from "./database.js";
import { createHellbansRepo, type HellbansRepo } from "./hellbans.repo.js";
import { createKeywordTemplatesRepo, type KeywordTemplatesRepo } from "./keyword-templates.repo.js";
import { createRateEventsRepo, type RateEventsRepo } from "./rate-events.repo.js";
import { createRoomStateRepo, type RoomStateRepo } from "./room-state.repo.js";
import { createRoomsRepo, type RoomsRepo } from "./rooms.repo.js";
import { createServerKeysRepo, type ServerKeysRepo } from "./server-keys.repo.js";
import { createStateLearnQueueRepo, type StateLearnQueueRepo } from "./state-learn-queue.repo.js";
import { createTransactionsRepo, type TransactionsRepo } from "./transactions.repo.js";
import { createTrustDataRepo, type TrustDataRepo } from "./trust-data.repo.js";
import { createVerdictsRepo, type VerdictsRepo } from "./verdicts.repo.js";

/** Every repository, wired to one Database. */
export interface Repositories {
  readonly rooms: RoomsRepo;
  readonly communities: CommunitiesRepo;
  readonly verdicts: VerdictsRepo;
  readonly roomState: RoomStateRepo;
  readonly trustData: TrustDataRepo;
  readonly stateLearnQueue: StateLearnQueueRepo;
  readonly keywordTemplates: KeywordTemplatesRepo;
  readonly hellbans: HellbansRepo;
  readonly serverKeys: ServerKeysRepo;
  readonly transactions: TransactionsRepo;
  readonly rateEvents: RateEventsRepo;
}

/**
 * Wires the repositories for the composition root: plain reads go through the replica router, while reads that must
 * see the latest write (verdicts, tokens, hellbans, keys, queue pops) stay on the primary inside their repository.
 */
export function createRepositories(db: Pick<Database, "sql" | "read">): Repositories {
  const { sql, read } = db;
  return {
    rooms: createRoomsRepo(sql, read),
    communities: createCommunitiesRepo(sql, { read }),
    verdicts: createVerdictsRepo(sql),
    roomState: createRoomStateRepo(sql, read),
    trustData: createTrustDataRepo(sql, read),
    stateLearnQueue: createStateLearnQueueRepo(sql),
    keywordTemplates: createKeywordTemplatesRepo(sql, read),
    hellbans: createHellbansRepo(sql, read),
    serverKeys: createServerKeysRepo(sql),
    transactions: createTransactionsRepo(sql),
    rateEvents: createRateEventsRepo(sql),
  };
}
