import { spawn, type Ref } from "nact";
import type { Logger } from "pino";
import type { CommunityConfig, CommunityOverrides, InstanceFilterSettings } from "../../src/config/community-config.js";
import type { FilterDefinition, KeywordTemplate } from "../../src/filters/types.js";
import type { FilterPlan } from "../../src/pipeline/types.js";
import { assertNever, err, ok, type Result } from "../../src/result.js";
import { spawnCheckSession, type SessionEnvironment } from "../check-session/check-session.actor.js";
import type { Reply } from "../kernel/reply.js";
import { tell } from "../kernel/tell.js";
import type { PipelineSteps } from "../pipeline-steps.js";
import type { CommunityConfigPort, KeywordTemplatePort } from "../ports.js";
import { refuseCommand, type CommunityCheck, type CommunityCommand } from "./community.protocol.js";
import { crashLooping, type CrashWindow } from "../kernel/supervision.js";
import { COMMUNITY_CRASH_WINDOW_MS, COMMUNITY_MAX_CRASHES, communitySupervision } from "./community.supervision.js";

/** Result of loading a community from the store; internal to this actor. */
type ConfigLoaded = {
  readonly type: "ConfigLoaded";
  readonly generation: number;
  readonly result: Result<LoadedCommunity | undefined, string>;
};

interface LoadedCommunity {
  readonly overrides: CommunityOverrides;
  readonly templates: ReadonlyMap<string, KeywordTemplate>;
}

/** Everything the community actor handles: its public commands plus its private load results. */
export type CommunityMessage = CommunityCommand | ConfigLoaded;

/** What every community actor shares. */
export interface CommunityEnvironment {
  readonly configs: CommunityConfigPort;
  readonly templates: KeywordTemplatePort;
  readonly defaults: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly registry: readonly FilterDefinition[];
  readonly steps: PipelineSteps;
  /** Lays stored overrides over the instance defaults (src/config layering). */
  readonly effectiveConfig: (defaults: CommunityConfig, overrides: CommunityOverrides) => CommunityConfig;
  readonly session: SessionEnvironment;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
  /**
   * Effective config and plan by stored overrides. Most communities override little or nothing, so 10,000
   * communities share a handful of plans instead of holding 10,000 copies; entries depend only on the overrides
   * because defaults, instance settings and registry are fixed for the runtime's life.
   */
  readonly planCache: Map<string, { readonly config: CommunityConfig; readonly plan: FilterPlan }>;
  /**
   * Crash-damping windows by community ID, shared by successive actors of one community so a crash loop stays
   * damped across respawns. Holds only communities that crashed; an expired window is dropped on the next spawn.
   */
  readonly crashWindows?: Map<string, CrashWindow>;
}

/** Bound on distinct override sets cached; past it the cache starts over (it is only a sharing optimisation). */
const PLAN_CACHE_LIMIT = 10_000;
const NO_TEMPLATES: ReadonlyMap<string, KeywordTemplate> = new Map();

type Status =
  | { readonly kind: "loading"; readonly generation: number }
  | { readonly kind: "ready"; readonly config: CommunityConfig; readonly plan: FilterPlan; readonly templates: ReadonlyMap<string, KeywordTemplate> }
  | { readonly kind: "unknown" }
  | { readonly kind: "failed"; readonly reason: string };

/**
 * Spawns the actor of one community: it owns the effective config, the filter plan and the compiled templates, and
 * turns each check of a CheckEvents message into a check-session child, returning to its mailbox at once. The store
 * is read by a promise whose result comes back as a message (a handler never awaits I/O); checks that arrive
 * meanwhile are queued, so the first check after a reload always sees the new config.
 */
export function spawnCommunity(
  parent: Ref<unknown>,
  name: string,
  communityId: string,
  env: CommunityEnvironment,
  /** Told as soon as this actor is stopping, so nobody keeps delivering to it directly (kernel/buckets.ts). */
  stopped: () => void = () => {},
) {
  // Kept outside nact's state on purpose: a reset must not lose checks or reload waiters that are still queued.
  const queued: CommunityCheck[] = [];
  const reloadWaiters: Reply<Result<void, string>>[] = [];
  let generation = 0;
  let sessions = 0;
  let self: Ref<CommunityMessage> | undefined;
  const window = crashWindowOf(env, communityId);
  const supervise = communitySupervision(env.logger, env.onCrashCounted, communityId, window);
  const quarantined = (): boolean => crashLooping(window, COMMUNITY_MAX_CRASHES, COMMUNITY_CRASH_WINDOW_MS, Date.now());
  const quarantineReason = "community actor keeps crashing; its checks resume when the crash window ends";

  const load = (): Status => {
    const gen = ++generation;
    const target = self as Ref<CommunityMessage>;
    loadCommunity(env, communityId).then(
      (result) => tell(target, { type: "ConfigLoaded", generation: gen, result }),
      (error: unknown) => tell(target, { type: "ConfigLoaded", generation: gen, result: err(String(error)) }),
    );
    return { kind: "loading", generation: gen };
  };

  const runCheck = (status: Extract<Status, { kind: "ready" }>, check: CommunityCheck): void => {
    spawnCheckSession(
      self as Ref<unknown>,
      `check-${(sessions++).toString(36)}`,
      {
        communityId,
        event: check.event,
        roomFacts: check.roomFacts,
        config: status.config,
        instance: env.instance,
        plan: status.plan,
        keywordTemplates: status.templates,
        reply: check.reply,
      },
      env.session,
    );
  };

  const settle = (status: Status): void => {
    const waiters = reloadWaiters.splice(0);
    const checks = queued.splice(0);
    switch (status.kind) {
      case "ready":
        for (const w of waiters) w(ok(undefined));
        for (const c of checks) runCheck(status, c);
        return;
      case "unknown":
        for (const w of waiters) w(err(`no community with id ${communityId}`));
        for (const c of checks) c.reply({ type: "unavailable", reason: `no community with id ${communityId}` });
        return;
      case "failed":
        for (const w of waiters) w(err(status.reason));
        for (const c of checks) c.reply({ type: "unavailable", reason: status.reason });
        return;
      case "loading":
        return;
      default:
        assertNever(status, "community status");
    }
  };

  const handle = (status: Status, msg: CommunityMessage): Status => {
    switch (msg.type) {
      case "CheckEvents":
        if (status.kind === "ready") {
          for (const check of msg.checks) runCheck(status, check);
          return status;
        }
        if (status.kind !== "loading" && quarantined()) {
          refuseCommand(msg, quarantineReason);
          return status;
        }
        queued.push(...msg.checks);
        // An unknown or failed community is retried on the next check: it may have been created, or the store is back.
        return status.kind === "loading" ? status : load();
      case "ReloadConfig":
        reloadWaiters.push(msg.reply);
        return load();
      case "ConfigLoaded": {
        if (status.kind !== "loading" || msg.generation !== status.generation) return status;
        const next = buildStatus(env, msg.result);
        if (next.kind === "failed") env.logger.warn({ communityId, reason: next.reason }, "community config could not be loaded");
        settle(next);
        return next;
      }
      default:
        return assertNever(msg, "community message");
    }
  };

  const ref = spawn(parent, handle, name, {
    initialStateFunc: (ctx): Status => {
      self = ctx.self as Ref<CommunityMessage>;
      // A community respawned inside its crash window does not rebuild (that is what crashed); checks get answers.
      return quarantined() ? { kind: "failed", reason: quarantineReason } : load();
    },
    onCrash: (msg, error, ctx) => {
      const decision = supervise(msg, error, ctx);
      if (decision === ctx.stop) stopped();
      return decision;
    },
    afterStop: (_state, ctx) => {
      stopped();
      const reason = "community actor stopped";
      for (const w of reloadWaiters.splice(0)) w(err(reason));
      for (const c of queued.splice(0)) c.reply({ type: "unavailable", reason });
      // Messages still in nact's mailbox are dropped by the stop; their callers get an answer now, not a timeout.
      // nact's typings say Msg[], but its mailbox holds {message, sender} entries (lib/actor.js dispatch).
      const mailbox = (ctx as unknown as { mailbox?: readonly { message: CommunityMessage }[] }).mailbox ?? [];
      for (const { message } of mailbox) if (message.type !== "ConfigLoaded") refuseCommand(message, reason);
    },
  });
  return ref;
}

function crashWindowOf(env: CommunityEnvironment, communityId: string): CrashWindow {
  const windows = env.crashWindows;
  if (windows === undefined) return { start: 0, crashes: 0 };
  const existing = windows.get(communityId);
  if (existing !== undefined && Date.now() - existing.start <= COMMUNITY_CRASH_WINDOW_MS) return existing;
  const fresh = { start: 0, crashes: 0 };
  windows.set(communityId, fresh);
  return fresh;
}

async function loadCommunity(env: CommunityEnvironment, communityId: string): Promise<Result<LoadedCommunity | undefined, string>> {
  const [overrides, templates] = await Promise.all([env.configs.loadOverrides(communityId), env.templates.loadAll()]);
  if (!overrides.ok) return err(`community config store unavailable: ${overrides.error}`);
  if (overrides.value === undefined) return ok(undefined);
  if (!templates.ok) return err(`keyword template store unavailable: ${templates.error}`);
  return ok({ overrides: overrides.value, templates: templates.value });
}

/** Pure except for plan building, which may throw on a bug: that throw is the crash the supervision resets on. */
function buildStatus(env: CommunityEnvironment, result: ConfigLoaded["result"]): Status {
  if (!result.ok) return { kind: "failed", reason: result.error };
  if (result.value === undefined) return { kind: "unknown" };
  const key = overridesKey(result.value.overrides);
  let built = env.planCache.get(key);
  if (!built) {
    const config = env.effectiveConfig(env.defaults, result.value.overrides);
    built = { config, plan: env.steps.buildFilterPlan(env.registry, config, env.instance) };
    if (env.planCache.size >= PLAN_CACHE_LIMIT) env.planCache.clear();
    env.planCache.set(key, built);
  }
  const names = built.config.keyword_template_filter_template_names;
  let templates = NO_TEMPLATES;
  if (names.length > 0) {
    const chosen = new Map<string, KeywordTemplate>();
    for (const name of names) {
      const template = result.value.templates.get(name);
      if (template) chosen.set(name, template);
    }
    templates = chosen;
  }
  return { kind: "ready", config: built.config, plan: built.plan, templates };
}

/** A stable key for a set of overrides: entries sorted by name, absent and null values dropped. */
function overridesKey(overrides: CommunityOverrides): string {
  const entries = Object.entries(overrides)
    .filter(([, v]) => v !== undefined && v !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** The default layering: each stored override that is present (not undefined or null) replaces the default. */
export function overlayConfig(defaults: CommunityConfig, overrides: CommunityOverrides): CommunityConfig {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && value !== null && key in defaults) merged[key] = value;
  }
  return Object.freeze(merged) as unknown as CommunityConfig;
}
