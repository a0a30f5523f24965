/**
 * Joining a room over federation (federation.md §6.2) so the policy server can read its state: make_join through
 * the join server, our signed join, send_join, signature checks on the answer, and the room stored with its
 * version and community. Unlike upstream, the state returned by send_join is learned at once instead of thrown
 * away, so mentions, power levels and policy rules work before the first trusted event arrives.
 */
import type { FederationClient, FederationError } from "../federation/index.js";
import { getRoomVersion, ROOM_VERSIONS, type KeyLookup, type SigningKey } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { CommunitiesRepo } from "../storage/communities.repo.js";
import type { RoomRecord, RoomsRepo } from "../storage/rooms.repo.js";
import { buildJoinEvent, inferRoomVersion } from "./join-event.js";
import { learnRoomState } from "./learn-state.js";
import type { OnLearned, RoomsLogger } from "./ports.js";
import { validateRoomId } from "./room-id.js";
import { verifyJoinState } from "./verify-join-state.js";

/**
 * Why a join failed, with upstream's error codes where upstream has one: `M_BAD_STATE` for "Room already exists" /
 * "Community not found", `M_UNKNOWN` for a failed federation join. `M_INVALID_PARAM` (a malformed room ID) and
 * `M_UNAVAILABLE` (the database is down) are ours: upstream answers both with a bare 500. `retryable` tells the
 * start-up joiner whether trying again can help.
 */
export interface JoinError {
  readonly errcode: "M_BAD_STATE" | "M_INVALID_PARAM" | "M_UNKNOWN" | "M_UNAVAILABLE";
  readonly message: string;
  readonly retryable: boolean;
}

export interface JoinDeps {
  readonly client: Pick<FederationClient, "makeJoin" | "sendJoin" | "getVersion">;
  /** Remote keys (the keyring), for the signatures of the returned state. */
  readonly getKey: KeyLookup;
  /** The homeserver key (`PS_SIGNING_KEY_PATH`): joins are signed as our server, never with the event key. */
  readonly signingKey: SigningKey;
  readonly repos: {
    readonly rooms: Pick<RoomsRepo, "get" | "upsert" | "setLastStateUpdate">;
    readonly communities: Pick<CommunitiesRepo, "get">;
  };
  readonly config: {
    /** `PS_HOMESERVER_NAME`. */
    readonly homeserverName: string;
    /** `PS_JOIN_SERVER`. */
    readonly joinServer: string;
    /** `PS_JOIN_LOCALPART`. */
    readonly joinLocalpart: string;
  };
  readonly now: () => number;
  readonly logger: RoomsLogger;
  readonly onLearned: OnLearned;
  /**
   * Servers to greet with a signed `GET /version` after a join (upstream pings the join server and the key-query
   * server so they start talking to us); errors are only logged. Defaults to the join server.
   */
  readonly pingServers?: readonly string[];
}

/** Every room version we can parse, offered to make_join so the resident server can pick the room's. */
export const OFFERED_ROOM_VERSIONS: readonly string[] = Object.freeze(Object.keys(ROOM_VERSIONS));

/**
 * Joins `roomId` for `communityId` and stores it. Answers once the join is complete (the admin API waits for it,
 * decisions §4b.5). Never throws for a remote or storage failure: those are `JoinError` values whose message says
 * which step failed and why.
 */
export async function joinRoom(deps: JoinDeps, roomId: string, communityId: string): Promise<Result<RoomRecord, JoinError>> {
  const valid = validateRoomId(roomId);
  if (!valid.ok) return fail("M_INVALID_PARAM", `Invalid room ID: ${valid.error}`, false);

  const community = await deps.repos.communities.get(communityId);
  if (!community.ok) return fail("M_UNAVAILABLE", `Could not look up the community: ${community.error.message}`, true);
  if (community.value === null) return fail("M_BAD_STATE", "Community not found", false);
  const existing = await deps.repos.rooms.get(roomId);
  if (!existing.ok) return fail("M_UNAVAILABLE", `Could not look up the room: ${existing.error.message}`, true);
  if (existing.value !== null) return fail("M_BAD_STATE", "Room already exists", false);

  const { homeserverName, joinServer, joinLocalpart } = deps.config;
  const userId = `@${joinLocalpart}:${homeserverName}`;
  const log = { roomId, joinServer };

  const made = await deps.client.makeJoin(joinServer, roomId, userId, OFFERED_ROOM_VERSIONS);
  if (!made.ok) return joinFailed("make_join", made.error);
  const roomVersion = made.value.roomVersion ?? inferRoomVersion(made.value.event);
  const version = getRoomVersion(roomVersion);
  if (!version.ok) return fail("M_UNKNOWN", `Failed to join the room: ${version.error}`, false);

  const built = buildJoinEvent({
    template: made.value.event,
    roomId,
    userId,
    serverName: homeserverName,
    version: version.value,
    signingKey: deps.signingKey,
    now: deps.now(),
  });
  if (!built.ok) return fail("M_UNKNOWN", `Failed to join the room: ${built.error}`, true);

  const sent = await deps.client.sendJoin(joinServer, roomId, built.value.pdu.eventId, built.value.event);
  if (!sent.ok) return joinFailed("send_join", sent.error);

  const verified = await verifyJoinState({
    roomId,
    roomVersion,
    state: sent.value.state,
    authChain: sent.value.authChain,
    getKey: deps.getKey,
  });
  if (!verified.ok) return fail("M_UNKNOWN", `Failed to join the room: ${verified.error}`, true);
  if (verified.value.dropped.length > 0) {
    deps.logger.warn(
      { ...log, dropped: verified.value.dropped.length, first: verified.value.dropped.slice(0, 5) },
      "dropped events with bad signatures or shapes from the join answer",
    );
  }

  const stored = await deps.repos.rooms.upsert({
    roomId,
    roomVersion,
    moderatorUserId: "",
    lastStateUpdateTs: 0,
    communityId,
  });
  if (!stored.ok) {
    return fail("M_UNAVAILABLE", `Joined the room but could not store it: ${stored.error.message}`, true);
  }
  deps.logger.info({ ...log, roomVersion, communityId, api: sent.value.apiVersion }, "joined room");

  const room = await learnJoinedState(deps, roomId, roomVersion, verified.value.state, stored.value);
  greet(deps);
  return ok(room);
}

/**
 * Learns the state the join answer carried. A failure here does not undo the join: the room stays with a state
 * timestamp of 0, which makes it stale, so the learning queue fetches its state on the next trusted event.
 */
async function learnJoinedState(
  deps: JoinDeps,
  roomId: string,
  roomVersion: string,
  state: Parameters<typeof learnRoomState>[0],
  room: RoomRecord,
): Promise<RoomRecord> {
  const learned = learnRoomState(state, roomVersion, roomId);
  if (!learned.ok) {
    deps.logger.warn({ roomId, error: learned.error }, "could not learn the joined room's state");
    return room;
  }
  const saved = await deps.onLearned(roomId, learned.value.facts, learned.value.banRules);
  if (!saved.ok) {
    deps.logger.warn({ roomId, error: saved.error }, "could not save the joined room's state; it will be learned later");
    return room;
  }
  const ts = deps.now();
  const bumped = await deps.repos.rooms.setLastStateUpdate(roomId, ts);
  if (!bumped.ok) {
    deps.logger.warn({ roomId, error: bumped.error.message }, "could not record the state learning time");
    return room;
  }
  deps.logger.debug(
    { roomId, members: learned.value.facts.members.length, banRules: learned.value.banRules.length },
    "learned the joined room's state",
  );
  return { ...room, lastStateUpdateTs: ts };
}

function greet(deps: JoinDeps): void {
  for (const server of deps.pingServers ?? [deps.config.joinServer]) {
    void deps.client.getVersion(server).then(
      (res) => {
        if (!res.ok) deps.logger.debug({ server, error: res.error.message }, "post-join ping failed");
      },
      (error: unknown) => deps.logger.debug({ server, err: error }, "post-join ping failed"),
    );
  }
}

function joinFailed(step: string, error: FederationError): Result<never, JoinError> {
  // A 4xx from the resident server (forbidden, not invited, unknown room) will not change by retrying soon, but
  // rooms do open up and servers do come back, so the start-up joiner keeps trying either way with its back-off.
  return fail("M_UNKNOWN", `Failed to join the room (${step}): ${error.message}`, true);
}

function fail(errcode: JoinError["errcode"], message: string, retryable: boolean): Result<never, JoinError> {
  return err({ errcode, message, retryable });
}

/**
 * `joinRoom` bound to its dependencies, in the shape the admin and community APIs take
 * (`(roomId, communityId) => Promise<Result<RoomRecord, {errcode, message}>>`). Concurrent joins of one room in
 * this process share one attempt rather than racing two send_joins.
 */
export function createJoiner(deps: JoinDeps): (roomId: string, communityId: string) => Promise<Result<RoomRecord, JoinError>> {
  const inFlight = new Map<string, Promise<Result<RoomRecord, JoinError>>>();
  return (roomId, communityId) => {
    const running = inFlight.get(roomId);
    // The second caller sees what a later call would: the room now exists, or the same failure.
    if (running !== undefined) return running.then((first) => (first.ok ? fail("M_BAD_STATE", "Room already exists", false) : first));
    const attempt = joinRoom(deps, roomId, communityId).finally(() => inFlight.delete(roomId));
    inFlight.set(roomId, attempt);
    return attempt;
  };
}
