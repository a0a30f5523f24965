import type { KeyStore, ServerKey } from "../federation/key-store.js";
import type { Logger } from "../observability/logger.js";
import type { ServerKeysRepo } from "../storage/server-keys.repo.js";

/**
 * The keyring's persistent layer over the `server_keys` table. A storage outage is a cache miss (the keyring then
 * asks the network), never a failed verification by itself.
 */
export function storageKeyStore(repo: ServerKeysRepo, logger: Logger): KeyStore {
  return {
    async load(serverName: string, keyId: string): Promise<ServerKey | undefined> {
      const row = await repo.load(serverName, keyId);
      if (row.ok) return row.value ?? undefined;
      logger.warn({ serverName, keyId, error: row.error.message }, "could not read a stored server key");
      return undefined;
    },
    async save(keys: readonly ServerKey[]): Promise<void> {
      const saved = await repo.save(keys);
      if (!saved.ok) logger.warn({ error: saved.error.message }, "could not store server keys; they stay in memory");
    },
  };
}
