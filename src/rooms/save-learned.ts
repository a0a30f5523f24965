import type { RoomFacts } from "../filters/types.js";
import { err, ok, type Result } from "../result.js";
import type { RoomStateRepo } from "../storage/room-state.repo.js";
import type { OnLearned } from "./ports.js";

/**
 * An `OnLearned` that writes straight to storage in upstream's layout (federation.md §7.1): display names and ban
 * rules replaced wholesale, `trust_data('power_levels', room)` and, for v12 rooms, `trust_data('creator', room)`.
 * Facts that were not learned (no power-levels event) leave what is stored untouched. The composition root may
 * prefer the actor runtime's `learnRoomState` for the facts, which also refreshes the room actor's memory; the
 * ban rules always go to `roomState` (only the policy-list filter reads them, through its own cache).
 */
export function saveLearnedState(repos: {
  readonly roomState: Pick<RoomStateRepo, "saveFacts" | "replaceBanRules">;
}): OnLearned {
  return async (roomId, facts, banRules) => {
    const saved = await saveRoomFacts(repos, roomId, facts);
    if (!saved.ok) return saved;
    const rules = await repos.roomState.replaceBanRules(roomId, banRules);
    return rules.ok ? ok(undefined) : err(rules.error.message);
  };
}

/**
 * Stores a room's learned facts in upstream's layout, in one transaction: display names replaced wholesale, power
 * levels and (v12) creators in `trust_data`. Facts that were not learned leave what is stored untouched.
 */
export async function saveRoomFacts(
  repos: { readonly roomState: Pick<RoomStateRepo, "saveFacts"> },
  roomId: string,
  facts: RoomFacts,
): Promise<Result<void, string>> {
  const saved = await repos.roomState.saveFacts(roomId, {
    members: facts.members.map((m) => ({ userId: m.userId, displayname: m.displayName })),
    ...(facts.powerLevels === undefined ? {} : { powerLevels: facts.powerLevels }),
    ...(facts.creators === undefined ? {} : { creators: facts.creators }),
  });
  return saved.ok ? ok(undefined) : err(saved.error.message);
}

/**
 * An `OnLearned` for the composition root: the facts go to `saveFacts` (the actor runtime's `learnRoomState`) and
 * the ban rules to `roomState.replaceBanRules`. Both must succeed for the run to count.
 */
export function learnedStateHook(
  saveFacts: (roomId: string, facts: Parameters<OnLearned>[1]) => Promise<{ ok: true } | { ok: false; error: string }>,
  roomState: Pick<RoomStateRepo, "replaceBanRules">,
): OnLearned {
  return async (roomId, facts, banRules) => {
    const saved = await saveFacts(roomId, facts);
    if (!saved.ok) return err(saved.error);
    const rules = await roomState.replaceBanRules(roomId, banRules);
    return rules.ok ? ok(undefined) : err(rules.error.message);
  };
}
