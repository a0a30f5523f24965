import { getOwn, parsePdu, verifyPduSignatures, type JsonObject, type KeyLookup, type Pdu } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { SkippedStateEvent } from "./learn-state.js";

/** The send_join answer after signature checks: what survived, and what was dropped with the reason. */
export interface VerifiedJoinState {
  /** The surviving `state` events, as received (learning parses them again under the room version). */
  readonly state: readonly JsonObject[];
  readonly authChainCount: number;
  readonly dropped: readonly SkippedStateEvent[];
  /** The room's create event, parsed. */
  readonly create: Pdu;
}

export interface VerifyJoinStateInput {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly state: readonly JsonObject[];
  readonly authChain: readonly JsonObject[];
  readonly getKey: KeyLookup;
  /** Signature checks in flight at once; the keyring coalesces key fetches per server. */
  readonly concurrency?: number;
}

/**
 * Checks every event of a send_join answer (federation.md §6.2 steps 7-8): each must parse for the room version,
 * belong to the room and carry valid signatures from the servers that must sign it; the rest are dropped and
 * listed. Full auth-rule checking is not done (the spec notes allow skipping it): we only read state, never build
 * on it. The room's `m.room.create` event must survive and name the room version we joined with, or the join
 * answer is not trusted at all.
 */
export async function verifyJoinState(input: VerifyJoinStateInput): Promise<Result<VerifiedJoinState, string>> {
  const dropped: SkippedStateEvent[] = [];
  const check = async (raw: JsonObject): Promise<Pdu | undefined> => {
    const parsed = parsePdu(raw, input.roomVersion);
    if (!parsed.ok) {
      dropped.push({ eventId: hint(raw), reason: parsed.error.message });
      return undefined;
    }
    const pdu = parsed.value;
    if (pdu.roomId !== input.roomId) {
      dropped.push({ eventId: pdu.eventId, reason: `belongs to room ${pdu.roomId}` });
      return undefined;
    }
    const signatures = await verifyPduSignatures(pdu, input.getKey);
    if (!signatures.ok) {
      dropped.push({ eventId: pdu.eventId, reason: signatures.error.message });
      return undefined;
    }
    return pdu;
  };
  const limit = Math.max(1, input.concurrency ?? 32);
  const stateChecked = await mapBounded(input.state, limit, check);
  const authChecked = await mapBounded(input.authChain, limit, check);

  const state: JsonObject[] = [];
  stateChecked.forEach((pdu, i) => {
    const raw = input.state[i];
    if (pdu !== undefined && raw !== undefined) state.push(raw);
  });
  const create = [...stateChecked, ...authChecked].find((pdu) => pdu?.type === "m.room.create" && pdu.stateKey === "");
  if (create === undefined) {
    return err("the join answer has no validly signed m.room.create event for the room");
  }
  const declared = getOwn(create.content, "room_version") ?? "1";
  if (declared !== input.roomVersion) {
    return err(`the room's create event says room version ${JSON.stringify(declared)}, but make_join said ${input.roomVersion}`);
  }
  return ok({ state, authChainCount: authChecked.filter((p) => p !== undefined).length, dropped, create });
}

/** `Promise.all(items.map(fn))` with at most `limit` calls running, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function hint(raw: JsonObject): string | undefined {
  const id = getOwn(raw, "event_id");
  return typeof id === "string" ? id : undefined;
}
