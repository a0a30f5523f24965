/**
 * Shared set-up for the fault tests: a private PostgreSQL cluster (so it can be stopped), a signing peer, key files,
 * and helpers to start real server processes on that cluster, create communities and join rooms through the admin
 * API exactly as an operator does.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { generateKeyFiles } from "../../src/keys/generate-key-files.js";
import type { JsonObject } from "../../src/matrix/index.js";
import { serveRoom } from "../support/fake-resident-server.js";
import { Peer, type PeerRoom } from "../support/peer.js";
import { startPgCluster, type PgCluster } from "../support/pg-cluster.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

export const SERVER_NAME = "policy.test";
export const API_KEY = "faults-admin-key";
export const STABLE = "/_matrix/policy/v1/sign";

export interface FaultWorld {
  readonly cluster: PgCluster;
  readonly databaseUrl: string;
  readonly peer: Peer;
  readonly workdir: string;
  /** A superuser pool on the test database, for assertions. */
  readonly sql: postgres.Sql;
  env(extra?: Record<string, string>): Record<string, string>;
  start(extra?: Record<string, string>): Promise<ServerProcess>;
  close(): Promise<void>;
}

/** Builds the world; `close` tears every part down (servers started through `start` included). */
export async function createWorld(): Promise<FaultWorld> {
  const cluster = await startPgCluster();
  const databaseUrl = await cluster.createDatabase(`ps_fault_${randomBytes(4).toString("hex")}`);
  const peer = await Peer.start("hs1.test");
  const workdir = mkdtempSync(join(tmpdir(), "policyserv-faults-"));
  await generateKeyFiles(
    { signingKeyPath: join(workdir, "signing.key"), eventSigningKeyPath: join(workdir, "event_signing.key") },
    { overwrite: false },
  );
  const sql = postgres(databaseUrl, { max: 2, connect_timeout: 2, onnotice: () => undefined });
  const servers: ServerProcess[] = [];
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...peer.serverEnv(databaseUrl, { serverName: SERVER_NAME, apiKey: API_KEY }),
    ...extra,
  });
  return {
    cluster,
    databaseUrl,
    peer,
    workdir,
    sql,
    env,
    async start(extra) {
      const server = await startServer({ cwd: workdir, env: env(extra) });
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.all(servers.map((s) => s.kill()));
      await sql.end({ timeout: 1 }).catch(() => undefined);
      await peer.close();
      await cluster.destroy();
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

/** An admin API call with the bearer token. */
export function admin(server: ServerProcess, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
}

/** Creates a community through the admin API and returns its ID. */
export async function createCommunity(server: ServerProcess, name: string): Promise<string> {
  const created = await admin(server, "POST", "/api/v1/communities/new", { name });
  assert.equal(created.status, 200, await created.clone().text());
  return ((await created.json()) as { community_id: string }).community_id;
}

/** Creates a room on the peer and joins it to `communityId` through the admin API of `server`. */
export async function joinNewRoom(world: FaultWorld, server: ServerProcess, communityId: string): Promise<PeerRoom> {
  const room = world.peer.createRoom("11");
  serveRoom(world.peer.hs, room, [room.member(world.peer.user("alice"), "Alice")]);
  const joined = await admin(server, "POST", `/api/v1/rooms/${encodeURIComponent(room.roomId)}/join`, {
    community_id: communityId,
  });
  assert.equal(joined.status, 200, await joined.clone().text());
  return room;
}

export interface TimedAnswer {
  readonly status: number;
  readonly ms: number;
  readonly at: number;
  readonly body: string;
}

/** A signed sign request, timed; a transport failure or a 10 s client timeout is status 0. */
export async function timedSign(world: FaultWorld, server: ServerProcess, pdu: JsonObject): Promise<TimedAnswer> {
  const started = Date.now();
  try {
    const res = await world.peer.call(server.url, "POST", STABLE, pdu);
    const body = await res.text();
    return { status: res.status, ms: Date.now() - started, at: started, body };
  } catch (error) {
    // fetch reports "fetch failed" and keeps the reason (reset, refused, closed) in `cause`.
    const cause = error instanceof Error && error.cause !== undefined ? ` (cause: ${String(error.cause)})` : "";
    return { status: 0, ms: Date.now() - started, at: started, body: `${String(error)}${cause}` };
  }
}

/** Polls `probe` every 50 ms until it returns true or `ms` passes; returns how long it took, or undefined. */
export async function within(ms: number, probe: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await sleep(50);
  }
  return undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads one sample of a metric from the ops listener (first line that starts with `name`). */
export async function metric(server: ServerProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.opsUrl}/metrics`)).text();
  for (const line of text.split("\n")) {
    if (line.startsWith(name + " ") || line.startsWith(name + "{"))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
