/**
 * Turns the environment into a frozen AppConfig, using the option table for every name, default and parser.
 *
 * Rules (decisions §1.1, §4b.7; api_storage_config.md §3.1 with upstream's quirks fixed):
 * - unset → the table default; set (even to `""`) → parsed. `""` is an empty list for lists and `""` for strings
 *   that allow it; for numbers and booleans it is an error, as upstream.
 * - CSV items are trimmed and empty items dropped.
 * - A README name and its alias both set to different values is an error naming both.
 * - Every bad value is one error line `PS_NAME: problem`; all of them are reported at once.
 * - An unknown `PS_*` variable is a warning suggesting the closest known name.
 * - Upstream's unprefixed fallback (`DATABASE` when `PS_DATABASE` is unset) is deliberately not replicated: it let
 *   unrelated variables such as `API_KEY` configure the server by accident.
 */
import { err, ok, type Result } from "../result.js";
import type { AppConfig, BindAddress, KeyQueryServer, LogLevel, SupportContact } from "./app-config.js";
import type { Cidr } from "./cidr.js";
import type { CommunityConfig } from "./community-config.js";
import { deepFreeze, frozenMap } from "./freeze.js";
import type { OptionKind, OptionSpec } from "./option-spec.js";
import { COMMUNITY_OPTIONS, OPTIONS, OPTIONS_BY_NAME } from "./options.js";
import { parseOptionValue, type OptionValue } from "./parse-value.js";
import { closestName } from "./suggest.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** One bad setting. `message` is the whole line, starting with the variable name. */
export interface ConfigError {
  readonly variable: string;
  readonly message: string;
}

export interface LoadedConfig {
  readonly config: AppConfig;
  readonly warnings: readonly string[];
}

/** The only place that reads `process.env`; everything else takes an Env parameter. */
export function readProcessEnv(): Env {
  return { ...process.env };
}

/** Parses every option from `env`; all errors are collected so the operator can fix them in one go. */
export function loadConfig(env: Env): Result<LoadedConfig, ConfigError[]> {
  const errors: ConfigError[] = [];
  const values = new Map<string, OptionValue>();
  for (const spec of OPTIONS) {
    const parsed = parseOption(spec, env);
    if (parsed.ok) values.set(spec.env, parsed.value);
    else errors.push(parsed.error);
  }
  if (errors.length > 0) return err(errors);
  const warnings = unknownVariableWarnings(env);
  const config = buildConfig(new Values(values));
  if (config.keys.signingKeyPath === config.keys.eventSigningKeyPath) {
    warnings.push(
      "PS_HOMESERVER_SIGNING_KEY_PATH and PS_HOMESERVER_EVENT_SIGNING_KEY_PATH name the same file: one key signs both requests and events",
    );
  }
  return ok({ config: deepFreeze(config), warnings });
}

/**
 * Parses one option from `env`: resolves its names, applies the default, runs the kind's parser.
 * Exported for tools (gen_signing_keys) that need a few options without requiring the whole config to be valid.
 */
export function parseOption(spec: OptionSpec, env: Env): Result<OptionValue, ConfigError> {
  const setNames = [spec.env, ...spec.aliases].filter((name) => env[name] !== undefined);
  const [first, ...others] = setNames;
  for (const other of others) {
    if (env[other] !== env[first ?? spec.env]) {
      const values = spec.secret
        ? ""
        : ` (${JSON.stringify(env[first ?? spec.env])} and ${JSON.stringify(env[other])})`;
      return err({
        variable: spec.env,
        message: `${first} and ${other} are both set, to different values${values}: they are the same setting, set only one`,
      });
    }
  }
  const raw = first === undefined ? spec.default : env[first];
  if (raw === undefined) return ok(undefined);
  const parsed = parseOptionValue(spec, raw);
  if (parsed.ok) return parsed;
  if (first === undefined) throw new Error(`the default of ${spec.env} does not parse: ${parsed.error}`);
  return err({ variable: first, message: `${first}: ${parsed.error}` });
}

function unknownVariableWarnings(env: Env): string[] {
  const known = [...OPTIONS_BY_NAME.keys()];
  return Object.keys(env)
    .filter((name) => name.startsWith("PS_") && !OPTIONS_BY_NAME.has(name) && env[name] !== undefined)
    .sort()
    .map((name) => `${name} is not a known variable and is ignored (did you mean ${closestName(name, known)}?)`);
}

/** Typed reads of parsed values; a kind mismatch is a bug in this file, so it throws. */
class Values {
  constructor(private readonly values: ReadonlyMap<string, OptionValue>) {}

  private get(name: string, kinds: readonly OptionKind[]): OptionValue {
    const spec = OPTIONS_BY_NAME.get(name);
    if (spec === undefined || !kinds.includes(spec.kind) || !this.values.has(spec.env)) {
      throw new Error(`config option ${name} is not a ${kinds.join("/")} option`);
    }
    return this.values.get(spec.env);
  }

  string(name: string): string {
    const value = this.get(name, ["string", "path", "server-name", "url", "enum"]);
    if (typeof value !== "string") throw new Error(`config option ${name} has no string value`);
    return value;
  }

  /** `""` (and unset without default) become undefined: "not configured". */
  optionalString(name: string): string | undefined {
    const value = this.get(name, ["string", "path", "url"]);
    return value === undefined || value === "" ? undefined : this.string(name);
  }

  number(name: string): number {
    return this.get(name, ["int", "minutes", "seconds", "float"]) as number;
  }

  bool(name: string): boolean {
    return this.get(name, ["bool"]) as boolean;
  }

  list(name: string): readonly string[] {
    return this.get(name, ["csv"]) as readonly string[];
  }

  map(name: string): ReadonlyMap<string, string> {
    return this.get(name, ["csv-map", "token-pairs"]) as ReadonlyMap<string, string>;
  }

  cidrs(name: string): readonly Cidr[] {
    return this.get(name, ["cidr-list"]) as readonly Cidr[];
  }

  contacts(name: string): readonly SupportContact[] {
    return this.get(name, ["contact-list"]) as readonly SupportContact[];
  }

  bind(name: string): BindAddress | undefined {
    return this.get(name, ["bind"]) as BindAddress | undefined;
  }

  requiredBind(name: string): BindAddress {
    const bind = this.bind(name);
    if (bind === undefined) throw new Error(`config option ${name} has no address`);
    return bind;
  }

  keyQueryServer(name: string): KeyQueryServer {
    return this.get(name, ["key-query-server"]) as KeyQueryServer;
  }

  /** The value of one community option, as the JSON type CommunityConfig holds. */
  community(spec: OptionSpec): CommunityConfig[keyof CommunityConfig] {
    switch (spec.kind) {
      case "csv":
        return this.list(spec.env);
      case "bool":
        return this.bool(spec.env);
      case "int":
      case "minutes":
      case "float":
        return this.number(spec.env);
      case "string":
      case "url":
        return this.string(spec.env);
      default:
        throw new Error(`community option ${spec.env} has kind ${spec.kind}, which has no JSON form`);
    }
  }
}

function buildConfig(v: Values): AppConfig {
  return {
    server: {
      homeserverName: v.string("PS_HOMESERVER_NAME"),
      httpBind: v.requiredBind("PS_HTTP_BIND"),
      metricsBind: v.requiredBind("PS_HTTP_METRICS_BIND"),
      pprofBind: v.bind("PS_HTTP_PPROF_BIND"),
    },
    database: {
      url: v.optionalString("PS_DATABASE"),
      readUrl: v.optionalString("PS_DATABASE_READ"),
      maxOpenConns: v.number("PS_DATABASE_MAX_OPEN_CONNS"),
      maxIdleConns: v.number("PS_DATABASE_MAX_IDLE_CONNS"),
      readMaxOpenConns: v.number("PS_DATABASE_READ_MAX_OPEN_CONNS"),
      readMaxIdleConns: v.number("PS_DATABASE_READ_MAX_IDLE_CONNS"),
      migrationsDir: v.string("PS_DATABASE_MIGRATIONS_DIR"),
      embeddedDataDir: v.string("PS_EMBEDDED_DATABASE_DIR"),
    },
    keys: {
      signingKeyPath: v.string("PS_HOMESERVER_SIGNING_KEY_PATH"),
      eventSigningKeyPath: v.string("PS_HOMESERVER_EVENT_SIGNING_KEY_PATH"),
    },
    federation: {
      keyQueryServer: v.keyQueryServer("PS_KEY_QUERY_SERVER"),
      directKeyFetching: v.bool("PS_DIRECT_KEY_FETCHING"),
      hostOverrides: frozenMap(v.map("PS_FEDERATION_HOST_OVERRIDES")),
      allowedNetworks: v.cidrs("PS_HOMESERVER_ALLOWED_NETWORKS"),
      deniedNetworks: v.cidrs("PS_HOMESERVER_DENIED_NETWORKS"),
      trustedOrigins: v.list("PS_TRUSTED_ORIGINS"),
      eventFetchServers: v.list("PS_EVENT_FETCH_SERVERS"),
      joinServer: v.string("PS_JOIN_SERVER"),
      joinLocalpart: v.string("PS_JOIN_LOCALPART"),
      joinRoomIds: v.list("PS_JOIN_ROOM_IDS"),
      stateCacheMinutes: v.number("PS_STATE_CACHE_MINUTES"),
      stateCacheIntervalMinutes: v.number("PS_STATE_CACHE_INTERVAL_MINUTES"),
      catchupIntervalSeconds: v.number("PS_FEDERATION_CATCHUP_INTERVAL_SECONDS"),
    },
    pools: {
      processing: v.number("PS_PROCESSING_POOL_SIZE"),
      moderation: v.number("PS_MODERATION_POOL_SIZE"),
      webhook: v.number("PS_WEBHOOK_POOL_SIZE"),
    },
    filters: {
      mjolnirRoomId: v.optionalString("PS_MJOLNIR_FILTER_ROOM_ID"),
      openai: {
        apiKey: v.optionalString("PS_OPENAI_FILTER_API_KEY"),
        allowedRoomIds: v.list("PS_OPENAI_FILTER_ALLOWED_ROOM_IDS"),
      },
      hma: { apiUrl: v.optionalString("PS_HMA_API_URL"), apiKey: v.optionalString("PS_HMA_API_KEY") },
      muninn: {
        apiUrl: v.optionalString("PS_MUNINN_HALL_SOURCE_API_URL"),
        apiKey: v.optionalString("PS_MUNINN_HALL_SOURCE_API_KEY"),
      },
    },
    media: {
      clientUrl: v.string("PS_HOMESERVER_MEDIA_CLIENT_URL"),
      accessToken: v.optionalString("PS_HOMESERVER_MEDIA_CLIENT_ACCESS_TOKEN"),
    },
    communityDefaults: communityDefaults(v),
    apiKey: v.optionalString("PS_API_KEY"),
    webhooks: { allowedDomains: v.list("PS_ALLOWED_WEBHOOK_DOMAINS") },
    moderatorAccessTokens: frozenMap(v.map("PS_MODERATOR_ACCESS_TOKENS")),
    support: {
      adminContacts: v.contacts("PS_SUPPORT_ADMIN_CONTACTS"),
      securityContacts: v.contacts("PS_SUPPORT_SECURITY_CONTACTS"),
      url: v.optionalString("PS_SUPPORT_URL"),
    },
    logLevel: v.string("PS_LOG_LEVEL") as LogLevel,
    logFormat: v.string("PS_LOG_FORMAT") as "json" | "pretty",
  };
}

function communityDefaults(v: Values): CommunityConfig {
  const entries = [...COMMUNITY_OPTIONS].map(([key, spec]) => [key, v.community(spec)] as const);
  return Object.fromEntries(entries) as unknown as CommunityConfig;
}

/**
 * The variables `env` sets that the table knows, with secrets replaced by `[redacted]`: safe to log at start-up.
 */
export function redactedSettings(env: Env): Readonly<Record<string, string>> {
  const settings: Record<string, string> = {};
  for (const [name, spec] of OPTIONS_BY_NAME) {
    const value = env[name];
    if (value !== undefined) settings[name] = spec.secret ? "[redacted]" : value;
  }
  return settings;
}
