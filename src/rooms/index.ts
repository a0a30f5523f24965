/** Public API of the rooms area: joining, learning room state, and handling inbound transactions. */
export type { BackgroundWork, BackgroundWorkOptions } from "./background-work.js";
export { createBackgroundWork } from "./background-work.js";
export { DEFAULT_COMMUNITY_ID, ensureDefaultCommunity } from "./default-community.js";
export type { JoinDeps, JoinError } from "./join.js";
export { OFFERED_ROOM_VERSIONS, createJoiner, joinRoom } from "./join.js";
export type { JoinEventInput } from "./join-event.js";
export { buildJoinEvent, inferRoomVersion } from "./join-event.js";
export type { LearnablePdu, LearnedState, SkippedStateEvent } from "./learn-state.js";
export { LEARNED_RULE_TYPES, isLearnableEvent, learnRoomState } from "./learn-state.js";
export type { OnLearned, RoomsLogger } from "./ports.js";
export type { LearnedPowerLevels } from "./power-levels.js";
export { parsePowerLevels } from "./power-levels.js";
export type {
  PduOutcome,
  PduResult,
  ProcessTransactionDeps,
  ProhibitedEvent,
  TransactionResponseBody,
} from "./process-transaction.js";
export { processTransaction } from "./process-transaction.js";
export type { RecentResponses } from "./recent-responses.js";
export { createRecentResponses } from "./recent-responses.js";
export { validateRoomId } from "./room-id.js";
export { learnedStateHook, saveLearnedState } from "./save-learned.js";
export type { StartupJoins, StartupJoinsDeps } from "./startup-joins.js";
export { startStartupJoins } from "./startup-joins.js";
export type {
  LearningTrigger,
  QueueDecision,
  StateLearner,
  StateLearningConfig,
  StateLearningDeps,
} from "./state-learning.js";
export { createStateLearner, intervalMs, learningDecision } from "./state-learning.js";
export type { TransactionBody } from "./transaction-body.js";
export { parseTransactionBody } from "./transaction-body.js";
export type { VerifiedJoinState, VerifyJoinStateInput } from "./verify-join-state.js";
export { verifyJoinState } from "./verify-join-state.js";
