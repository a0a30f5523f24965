import {
  verifyJsonSignature,
  verifyKeyFromBase64,
  verifyKeyOf,
  type JsonObject,
  type KeyLookup,
  type SigningKey,
  type VerifyKey,
} from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { FederationError, FederationLogger, RequestOptions } from "./client.js";
import { betterKey, type KeyStore, type ServerKey } from "./key-store.js";
import { checkServerKeys, isKeyValidAt, type LearnedKey } from "./server-keys.js";

/** Why no usable key was found. */
export type KeyError =
  | { readonly kind: "not_found"; readonly serverName: string; readonly keyId: string; readonly message: string }
  | { readonly kind: "expired"; readonly serverName: string; readonly keyId: string; readonly message: string }
  | { readonly kind: "invalid_request"; readonly message: string };

/** The notary of PS_KEY_QUERY_SERVER: its responses are trusted only under this pinned key. */
export interface NotaryConfig {
  readonly serverName: string;
  readonly keyId: string;
  readonly verifyKey: VerifyKey;
}

/** Builds a NotaryConfig from the configured strings; the error says which part is wrong. */
export function notaryFromConfig(serverName: string, keyId: string, publicKeyBase64: string): Result<NotaryConfig, string> {
  if (!keyId.startsWith("ed25519:")) return err(`notary key ID ${JSON.stringify(keyId)} must start with "ed25519:"`);
  const verifyKey = verifyKeyFromBase64(publicKeyBase64);
  if (!verifyKey.ok) return err(`notary key for ${serverName}: ${verifyKey.error}`);
  return ok({ serverName, keyId, verifyKey: verifyKey.value });
}

/** The two federation calls the keyring makes (FederationClient implements them). */
export interface KeyFetchClient {
  getServerKeys(server: string, options?: RequestOptions): Promise<Result<JsonObject, FederationError>>;
  queryKeysFromNotary(
    notary: string,
    server: string,
    keyIds: readonly string[],
    minimumValidUntilTs: number,
    options?: RequestOptions,
  ): Promise<Result<JsonObject[], FederationError>>;
}

export type KeySource = "notary" | "direct";

export interface KeyringDeps {
  /** Our own server name: its keys are answered from `ownKeys`, never fetched. */
  readonly serverName: string;
  readonly ownKeys: readonly SigningKey[];
  readonly client: KeyFetchClient;
  readonly store?: KeyStore;
  /** Undefined disables notary look-ups. */
  readonly notary?: NotaryConfig;
  /** Order of network sources. Default notary then direct; PS_DIRECT_KEY_FETCHING=true means direct first. */
  readonly sources?: readonly KeySource[];
  /** Bound on each network fetch, so a key server that never answers cannot stall look-ups for long. */
  readonly fetchTimeoutMs?: number;
  /** How long a failed look-up is answered from memory without asking the network again. */
  readonly negativeCacheMs?: number;
  readonly now?: () => number;
  readonly logger?: FederationLogger;
}

export interface KeyLookupOptions {
  /** Room versions 1–4 verify event signatures without the `valid_until_ts` limit (federation.md §3.5). */
  readonly ignoreValidUntil?: boolean;
}

interface Inflight {
  readonly keyIds: ReadonlySet<string>;
  readonly done: Promise<void>;
}

const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
const DEFAULT_NEGATIVE_CACHE_MS = 30_000;

/**
 * Remote server keys: own keys → memory → KeyStore → network (notary and/or direct, in the configured order).
 * Concurrent look-ups for one server share one network fetch; failures are remembered briefly; every fetch is
 * bounded by a timeout. Keys learned from the network are checked (self-signed, not small-order, not the
 * compromised key; notary answers signed by the pinned notary key) before anything is cached or stored.
 */
export class Keyring {
  readonly #deps: KeyringDeps;
  readonly #memory = new Map<string, LearnedKey>();
  readonly #negative = new Map<string, { error: KeyError; until: number }>();
  readonly #inflight = new Map<string, Inflight>();
  readonly #own = new Map<string, VerifyKey>();

  constructor(deps: KeyringDeps) {
    this.#deps = deps;
    for (const key of deps.ownKeys) this.#own.set(key.keyId, verifyKeyOf(key));
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  /**
   * The verify key for `keyId` of `serverName`, valid at `atTs` (default now; pass an event's
   * `origin_server_ts` for event signatures). Never throws; storage and network failures become KeyError values.
   */
  async getVerifyKey(
    serverName: string,
    keyId: string,
    atTs?: number,
    options: KeyLookupOptions = {},
  ): Promise<Result<VerifyKey, KeyError>> {
    if (!keyId.startsWith("ed25519:")) {
      return err({ kind: "invalid_request", message: `key ID ${JSON.stringify(keyId)} is not an ed25519 key` });
    }
    const at = atTs ?? this.#now();
    const ignore = options.ignoreValidUntil === true;
    if (serverName === this.#deps.serverName) {
      const own = this.#own.get(keyId);
      if (own !== undefined) return ok(own);
      return err({ kind: "not_found", serverName, keyId, message: `${keyId} is not one of our own keys` });
    }

    const notary = this.#deps.notary;
    // The pinned notary key is configuration, trusted as is; the notary's other keys are looked up like any server's.
    if (notary !== undefined && serverName === notary.serverName && keyId === notary.keyId) return ok(notary.verifyKey);

    const fromMemory = this.#fromMemory(serverName, keyId, at, ignore);
    if (fromMemory !== undefined) return ok(fromMemory);
    const negative = this.#negative.get(id(serverName, keyId));
    if (negative !== undefined && negative.until > this.#now()) return err(negative.error);

    const stored = await this.#fromStore(serverName, keyId, at, ignore);
    if (stored !== undefined) return ok(stored);

    // Wait for fetches of this server already under way; one that asked for our key settles the question.
    for (let current = this.#inflight.get(serverName); current !== undefined; current = this.#inflight.get(serverName)) {
      await current.done;
      const after = this.#fromMemory(serverName, keyId, at, ignore);
      if (after !== undefined) return ok(after);
      if (current.keyIds.has(keyId)) return err(this.#failure(serverName, keyId, at, ignore));
    }
    const keyIds = new Set([keyId]);
    const done = this.#fetch(serverName, [...keyIds], at)
      .catch((error: unknown) => this.#deps.logger?.warn({ serverName, error: String(error) }, "server key fetch crashed"))
      .finally(() => this.#inflight.delete(serverName));
    const inflight: Inflight = { keyIds, done };
    this.#inflight.set(serverName, inflight);
    await inflight.done;
    const fetched = this.#fromMemory(serverName, keyId, at, ignore);
    if (fetched !== undefined) return ok(fetched);
    return err(this.#failure(serverName, keyId, at, ignore));
  }

  /**
   * This keyring as the matrix/ `KeyLookup` (used by `verifyXMatrix` and `verifyPduSignatures`): resolves
   * undefined instead of an error, since those callers only need "usable key or not".
   */
  keyLookup(options: KeyLookupOptions = {}): KeyLookup {
    return async (serverName, keyId, atTs) => {
      const result = await this.getVerifyKey(serverName, keyId, atTs, options);
      return result.ok ? result.value : undefined;
    };
  }

  #fromMemory(serverName: string, keyId: string, at: number, ignore: boolean): VerifyKey | undefined {
    const entry = this.#memory.get(id(serverName, keyId));
    if (entry === undefined || !isKeyValidAt(entry.key, at, this.#now(), ignore)) return undefined;
    return entry.verifyKey;
  }

  async #fromStore(serverName: string, keyId: string, at: number, ignore: boolean): Promise<VerifyKey | undefined> {
    const store = this.#deps.store;
    if (store === undefined) return undefined;
    let stored: ServerKey | undefined | null;
    try {
      stored = await store.load(serverName, keyId);
    } catch (error) {
      this.#deps.logger?.warn({ serverName, keyId, error: String(error) }, "key store load failed; asking the network");
      return undefined;
    }
    if (stored === undefined || stored === null) return undefined;
    // Stored keys were checked when learned, but re-decoding also re-applies the small-order rule to old rows.
    const verifyKey = verifyKeyFromBase64(stored.publicKeyBase64);
    if (!verifyKey.ok) return undefined;
    this.#remember({ key: stored, verifyKey: verifyKey.value });
    return isKeyValidAt(stored, at, this.#now(), ignore) ? verifyKey.value : undefined;
  }

  #failure(serverName: string, keyId: string, at: number, ignore: boolean): KeyError {
    const known = this.#memory.get(id(serverName, keyId));
    const error: KeyError =
      known !== undefined && !isKeyValidAt(known.key, at, this.#now(), ignore)
        ? { kind: "expired", serverName, keyId, message: `${keyId} of ${serverName} is not valid at ${at}` }
        : { kind: "not_found", serverName, keyId, message: `could not obtain ${keyId} of ${serverName}` };
    this.#negative.set(id(serverName, keyId), { error, until: this.#now() + (this.#deps.negativeCacheMs ?? DEFAULT_NEGATIVE_CACHE_MS) });
    return error;
  }

  /** Tries each source in order until the wanted keys are valid; learned keys go to memory and the store. */
  async #fetch(serverName: string, keyIds: readonly string[], at: number): Promise<void> {
    const sources = this.#deps.sources ?? ["notary", "direct"];
    for (const source of sources) {
      const result = source === "notary" ? await this.#fetchFromNotary(serverName, keyIds, at) : await this.#fetchDirect(serverName);
      if (!result.ok) {
        this.#deps.logger?.warn({ serverName, source, error: result.error }, "server key fetch failed");
        continue;
      }
      const learned = result.value.filter((k) => this.#remember(k));
      await this.#save(learned.map((k) => k.key));
      if (keyIds.every((keyId) => this.#fromMemory(serverName, keyId, at, false) !== undefined)) return;
    }
  }

  async #fetchFromNotary(serverName: string, keyIds: readonly string[], at: number): Promise<Result<LearnedKey[], string>> {
    const notary = this.#deps.notary;
    if (notary === undefined) return err("no notary configured");
    const response = await this.#deps.client.queryKeysFromNotary(notary.serverName, serverName, keyIds, at, { timeoutMs: this.#timeout() });
    if (!response.ok) return err(response.error.message);
    const learned: LearnedKey[] = [];
    for (const entry of response.value) {
      if (entry["server_name"] !== serverName) continue;
      // One bad entry fails the whole answer, as upstream: a notary that lies once is not trusted for the rest.
      if (!verifyJsonSignature(entry, notary.serverName, notary.keyId, notary.verifyKey)) {
        return err(`notary ${notary.serverName} answer for ${serverName} is not signed by the pinned key ${notary.keyId}`);
      }
      const checked = checkServerKeys(entry, serverName);
      if (!checked.ok) return err(`notary ${notary.serverName}: ${checked.error}`);
      learned.push(...checked.value);
    }
    return ok(learned);
  }

  async #fetchDirect(serverName: string): Promise<Result<LearnedKey[], string>> {
    const response = await this.#deps.client.getServerKeys(serverName, { timeoutMs: this.#timeout() });
    if (!response.ok) return err(response.error.message);
    return checkServerKeys(response.value, serverName);
  }

  #timeout(): number {
    return this.#deps.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  }

  /** Caches a learned key unless a better one is already known; true when it was taken. */
  #remember(learned: LearnedKey): boolean {
    const key = id(learned.key.serverName, learned.key.keyId);
    const existing = this.#memory.get(key);
    if (existing !== undefined && !betterKey(learned.key, existing.key)) return false;
    this.#memory.set(key, learned);
    this.#negative.delete(key);
    return true;
  }

  async #save(keys: readonly ServerKey[]): Promise<void> {
    if (keys.length === 0 || this.#deps.store === undefined) return;
    try {
      await this.#deps.store.save(keys);
    } catch (error) {
      this.#deps.logger?.warn({ count: keys.length, error: String(error) }, "key store save failed; keys kept in memory");
    }
  }
}

function id(serverName: string, keyId: string): string {
  return `${serverName}\n${keyId}`;
}
