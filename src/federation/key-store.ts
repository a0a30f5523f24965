/**
 * One learned server key. A current key has `expiredTs: null` and is trusted until `validUntilTs`; an old key
 * (from `old_verify_keys`) has the `expired_ts` the server published and `validUntilTs` 0 (federation.md §3.4).
 */
export interface ServerKey {
  readonly serverName: string;
  /** `ed25519:<version>`. */
  readonly keyId: string;
  /** Unpadded standard base64 of the 32-byte public key. */
  readonly publicKeyBase64: string;
  readonly validUntilTs: number;
  readonly expiredTs: number | null;
}

/**
 * Durable key storage behind the keyring's memory cache (the PostgreSQL repository implements it). `load`
 * resolves undefined/null when the key is unknown; both may reject on a storage outage, which the keyring treats
 * as a miss so an outage never blocks federation.
 */
export interface KeyStore {
  load(serverName: string, keyId: string): Promise<ServerKey | undefined | null>;
  save(keys: readonly ServerKey[]): Promise<void>;
}

/**
 * An in-memory KeyStore for tests and embedded use. When the same key is saved twice the entry with the later
 * validity wins, as the keyring would choose between two fetchers.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, ServerKey>();
  /** How many times `load` was called, so tests can see whether storage was consulted. */
  loads = 0;

  load(serverName: string, keyId: string): Promise<ServerKey | undefined> {
    this.loads++;
    return Promise.resolve(this.#keys.get(storeKey(serverName, keyId)));
  }

  save(keys: readonly ServerKey[]): Promise<void> {
    for (const key of keys) {
      const id = storeKey(key.serverName, key.keyId);
      const existing = this.#keys.get(id);
      if (existing === undefined || betterKey(key, existing)) this.#keys.set(id, key);
    }
    return Promise.resolve();
  }

  /** Every stored key, for assertions. */
  all(): ServerKey[] {
    return [...this.#keys.values()];
  }
}

/** True when `candidate` should replace `existing`: a current key beats an old one, then later validity wins. */
export function betterKey(candidate: ServerKey, existing: ServerKey): boolean {
  if (candidate.publicKeyBase64 !== existing.publicKeyBase64) return candidate.validUntilTs >= existing.validUntilTs;
  if ((candidate.expiredTs === null) !== (existing.expiredTs === null)) return candidate.expiredTs === null;
  return candidate.validUntilTs >= existing.validUntilTs;
}

function storeKey(serverName: string, keyId: string): string {
  return `${serverName}\n${keyId}`;
}
