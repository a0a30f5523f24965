/**
 * The typed, deeply frozen result of `loadConfig`: every setting of the process, grouped by the part of the
 * program that consumes it. Nothing else in src/ reads the environment; components take the slice they need.
 */
import type { Cidr } from "./cidr.js";
import type { CommunityConfig } from "./community-config.js";

/** A listen address. `host` is `0.0.0.0` when the variable left it empty (`:8080`, as Go allows). */
export interface BindAddress {
  readonly host: string;
  readonly port: number;
}

/** The trusted notary of `PS_KEY_QUERY_SERVER`. */
export interface KeyQueryServer {
  readonly serverName: string;
  /** Always `ed25519:<version>`. */
  readonly keyId: string;
  /** The 32-byte public key, normalised to standard unpadded base64 whatever alphabet the variable used. */
  readonly publicKey: string;
}

/** One `/.well-known/matrix/support` contact; a value starting with `@` is a Matrix ID, anything else an email. */
export interface SupportContact {
  readonly kind: "matrix_id" | "email_address";
  readonly value: string;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface ServerConfig {
  /** `PS_HOMESERVER_NAME`: our server name; the joining user is `@<joinLocalpart>:<homeserverName>`. */
  readonly homeserverName: string;
  readonly httpBind: BindAddress;
  readonly metricsBind: BindAddress;
  /** Undefined when `PS_HTTP_PPROF_BIND` is empty (the default): no diagnostics listener. */
  readonly pprofBind: BindAddress | undefined;
}

export interface DatabaseConfig {
  /** Undefined when `PS_DATABASE` is unset: run on the embedded PostgreSQL in `embeddedDataDir` (decisions §5.2). */
  readonly url: string | undefined;
  /** Undefined when `PS_DATABASE_READ` is empty: reads use `url`. */
  readonly readUrl: string | undefined;
  readonly maxOpenConns: number;
  readonly maxIdleConns: number;
  readonly readMaxOpenConns: number;
  readonly readMaxIdleConns: number;
  readonly migrationsDir: string;
  readonly embeddedDataDir: string;
}

export interface KeysConfig {
  readonly signingKeyPath: string;
  readonly eventSigningKeyPath: string;
}

export interface FederationConfig {
  readonly keyQueryServer: KeyQueryServer;
  readonly directKeyFetching: boolean;
  /** server name → base URL (no trailing slash); these names bypass discovery and the network lists. */
  readonly hostOverrides: ReadonlyMap<string, string>;
  readonly allowedNetworks: readonly Cidr[];
  readonly deniedNetworks: readonly Cidr[];
  readonly trustedOrigins: readonly string[];
  readonly eventFetchServers: readonly string[];
  readonly joinServer: string;
  readonly joinLocalpart: string;
  readonly joinRoomIds: readonly string[];
  readonly stateCacheMinutes: number;
  readonly stateCacheIntervalMinutes: number;
  /** 0 or less disables the catch-up task. */
  readonly catchupIntervalSeconds: number;
}

export interface PoolsConfig {
  readonly processing: number;
  readonly moderation: number;
  readonly webhook: number;
}

/** Instance-only filter settings; communities can neither see nor change them (filters.md §4.1). */
export interface FiltersConfig {
  /** Undefined when empty: the policy-list filter is off. */
  readonly mjolnirRoomId: string | undefined;
  readonly openai: { readonly apiKey: string | undefined; readonly allowedRoomIds: readonly string[] };
  readonly hma: { readonly apiUrl: string | undefined; readonly apiKey: string | undefined };
  /** Polling runs only when both are set. */
  readonly muninn: { readonly apiUrl: string | undefined; readonly apiKey: string | undefined };
}

export interface MediaConfig {
  readonly clientUrl: string;
  readonly accessToken: string | undefined;
}

export interface WebhooksConfig {
  /** Exact hosts (with port when the URL has one) a webhook may target. */
  readonly allowedDomains: readonly string[];
}

export interface SupportConfig {
  /** Admin contacts first, in environment order. */
  readonly adminContacts: readonly SupportContact[];
  readonly securityContacts: readonly SupportContact[];
  readonly url: string | undefined;
}

export interface AppConfig {
  readonly server: ServerConfig;
  readonly database: DatabaseConfig;
  readonly keys: KeysConfig;
  readonly federation: FederationConfig;
  readonly pools: PoolsConfig;
  readonly filters: FiltersConfig;
  readonly media: MediaConfig;
  /** The instance layer of every community's config: defaults overlaid with `PS_*` values (filters.md §4.1). */
  readonly communityDefaults: CommunityConfig;
  /** Undefined when `PS_API_KEY` is empty: the admin API is not served. */
  readonly apiKey: string | undefined;
  readonly webhooks: WebhooksConfig;
  /** client-server API domain → access token (deprecated redaction clients). */
  readonly moderatorAccessTokens: ReadonlyMap<string, string>;
  readonly support: SupportConfig;
  readonly logLevel: LogLevel;
  readonly logFormat: "json" | "pretty";
}
