/**
 * Shared set-up for the admin and community API HTTP tests: a fresh real database, the repositories, both routers
 * inside the real app, fakes for the join flow, the event fetch and the runtime's checker, and recorded hook calls
 * and log lines. Requests go through node:http so headers are exactly what a test says (fetch would add a
 * Content-Type to every string body, and the setup bot sends none).
 */
import { request } from "node:http";
import { Writable } from "node:stream";
import { pino } from "pino";
import { instanceFilterSettings } from "../../src/config/layering.js";
import { loadConfig } from "../../src/config/load.js";
import type { AppConfig } from "../../src/config/app-config.js";
import { contentInfo } from "../../src/harms/content-info.js";
import { HARM_SPAM } from "../../src/harms/ids.js";
import { createHttpApp } from "../../src/http/app.js";
import { adminRouter } from "../../src/http/routes/admin/admin-router.js";
import type { AdminHooks } from "../../src/http/routes/admin/deps.js";
import type { JoinRoom } from "../../src/http/routes/admin/join-flow.js";
import { communityApiRouter } from "../../src/http/routes/community-api.js";
import type { FetchEvent } from "../../src/http/routes/community-api-event-fetch.js";
import { createHttpMetrics, createRegistry } from "../../src/observability/metrics.js";
import type { Verdict } from "../../src/pipeline/types.js";
import type { CheckOutcome, EventChecker } from "../../src/policy/ports.js";
import { err, ok } from "../../src/result.js";
import { createRepositories, type Repositories } from "../../src/storage/repositories.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { serve } from "../support/http.js";

export const API_KEY = "secret key with spaces";

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The parsed body; undefined when it is not JSON. */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  readonly method?: string;
  /** A string is sent as is; anything else is JSON-encoded. Never adds a Content-Type. */
  readonly body?: unknown;
  /** Defaults to the admin key; null sends no Authorization header; a string is sent as the whole header. */
  readonly auth?: string | null | undefined;
  readonly headers?: Record<string, string>;
}

export interface Harness {
  readonly url: string;
  readonly config: AppConfig;
  readonly database: TestDatabase;
  readonly repos: Repositories;
  readonly hookCalls: { communities: string[]; templates: number; trust: number };
  readonly logs: Record<string, unknown>[];
  /** Every join the fake join flow was asked for. */
  readonly joins: [string, string][];
  /** Room IDs whose join fails with this error. */
  readonly failingJoins: Map<string, { errcode: string; message: string }>;
  /** Events the fake fetcher can supply, by ID (with the community of their room). */
  readonly fetchable: Map<string, { body: string; sender: string; communityId: string }>;
  /** Checks the fake checker ran (event IDs). */
  readonly checks: string[];
  call(path: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Environment for loadConfig; PS_API_KEY defaults to API_KEY (pass "" to disable the admin API). */
  readonly env?: Record<string, string>;
  readonly joinTimeoutMs?: number;
  readonly joinDelayMs?: number;
}

/** A verdict as the runtime would give: spam when the body says "spam". */
function fakeVerdict(body: string): Verdict {
  const spam = body.includes("spam");
  const info = spam ? contentInfo("Prohibited", [HARM_SPAM]) : contentInfo("Neutral");
  return { info, spam, score: spam ? 1 : 0.5, trace: [], effects: [] };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const loaded = loadConfig({ PS_API_KEY: API_KEY, ...options.env });
  if (!loaded.ok) throw new Error(`test config: ${JSON.stringify(loaded.error)}`);
  const config = loaded.value.config;
  const database = await createTestDatabase();
  const repos = createRepositories(database.db);
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
        callback();
      },
    }),
  );
  const hookCalls = { communities: [] as string[], templates: 0, trust: 0 };
  const hooks: AdminHooks = {
    onCommunityChanged: (id) => void hookCalls.communities.push(id),
    onTemplatesChanged: () => void hookCalls.templates++,
    onTrustDataChanged: () => void hookCalls.trust++,
  };
  const joins: [string, string][] = [];
  const failingJoins = new Map<string, { errcode: string; message: string }>();
  const joinRoom: JoinRoom = async (roomId, communityId) => {
    joins.push([roomId, communityId]);
    if (options.joinDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.joinDelayMs));
    const failure = failingJoins.get(roomId);
    if (failure !== undefined) return err(failure);
    const stored = await repos.rooms.upsert({ roomId, roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId });
    return stored.ok ? ok(stored.value) : err({ errcode: "M_UNKNOWN", message: stored.error.message });
  };
  const fetchable = new Map<string, { body: string; sender: string; communityId: string }>();
  const fetchEvent: FetchEvent = async (eventId) => {
    const known = fetchable.get(eventId);
    if (known === undefined) return err(`no fetch server has ${eventId}`);
    const pdu = { type: "m.room.message", sender: known.sender, room_id: "!room:example.org", content: { msgtype: "m.text", body: known.body } };
    return ok({
      kind: "event",
      communityId: known.communityId,
      event: { eventId, roomId: "!room:example.org", roomVersion: "10", type: "m.room.message", stateKey: undefined, sender: known.sender, originServerTs: 0, pdu, content: pdu.content },
    });
  };
  const checks: string[] = [];
  const checker: EventChecker = {
    checkEvent: async ({ event }): Promise<CheckOutcome> => {
      checks.push(event.eventId);
      const body = typeof event.content["body"] === "string" ? event.content["body"] : "";
      const verdict = fakeVerdict(body);
      const saved = await repos.verdicts.save(event.eventId, verdict.info);
      if (!saved.ok) return { type: "unavailable", reason: saved.error.message };
      return { type: "verdict", verdict, cached: false };
    },
  };
  const common = {
    repos,
    communityDefaults: config.communityDefaults,
    instance: instanceFilterSettings(config),
    logger,
    joinRoom,
    ...(options.joinTimeoutMs === undefined ? {} : { joinTimeoutMs: options.joinTimeoutMs }),
  };
  const app = createHttpApp({
    logger,
    metrics: createHttpMetrics(createRegistry()),
    routers: [
      adminRouter({ ...common, apiKey: config.apiKey, hooks, clock: () => 1_700_000_000_000 }),
      communityApiRouter({ ...common, fetchEvent, checker }),
    ],
  });
  const server = await serve(app);
  return {
    url: server.url,
    config,
    database,
    repos,
    hookCalls,
    logs,
    joins,
    failingJoins,
    fetchable,
    checks,
    call: (path, requestOptions = {}) => send(server.url, path, requestOptions),
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

/** One HTTP request with exactly the given headers. */
export function send(base: string, path: string, options: RequestOptions): Promise<Reply> {
  const body =
    options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? `Bearer ${API_KEY}` : options.auth;
  if (auth !== null) headers["Authorization"] = auth;
  if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
