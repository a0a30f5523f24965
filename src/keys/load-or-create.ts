/**
 * Start-up key loading. In production a missing key file is fatal: silently minting a new server key would change
 * our identity for every peer. With the embedded database (a developer's machine), missing keys are generated so
 * `npm start` works on a fresh checkout, and the log says where they went.
 */
import { generateSigningKey, signingKeyFromSeed, type SigningKey } from "../matrix/keys.js";
import { err, ok, type Result } from "../result.js";
import { readKeyFile, writeKeyFile, type KeyFileEntry, type KeyFileError } from "./key-file.js";

/** The event key is always published under this ID, whatever version its file carries (federation.md §4). */
export const POLICY_SERVER_KEY_ID = "ed25519:policy_server";

export interface KeyPaths {
  readonly signingKeyPath: string;
  readonly eventSigningKeyPath: string;
}

export interface LoadedKeys {
  /** Signs federation requests and our key response; its ID is `ed25519:<version from the file>`. */
  readonly serverKey: SigningKey;
  /** Signs events; its ID is always `ed25519:policy_server`. */
  readonly eventKey: SigningKey;
  /** Paths of files this call created (empty unless generateMissing). */
  readonly generated: readonly string[];
}

/** The slice of a pino logger this needs, so tests can pass a recorder. */
export interface KeyLogger {
  info(message: string): void;
}

export interface LoadOrCreateOptions {
  /** True only for the embedded-database mode. */
  readonly generateMissing: boolean;
  readonly logger: KeyLogger;
}

const ENV_NAMES = { server: "PS_HOMESERVER_SIGNING_KEY_PATH", event: "PS_HOMESERVER_EVENT_SIGNING_KEY_PATH" } as const;

/** Loads (or, when allowed, creates) both keys. When both paths name one file, that one key fills both roles. */
export async function loadOrCreateKeys(
  paths: KeyPaths,
  options: LoadOrCreateOptions,
): Promise<Result<LoadedKeys, KeyFileError>> {
  const generated: string[] = [];
  const server = await loadOne("server", paths.signingKeyPath, options, generated);
  if (!server.ok) return server;
  const event =
    paths.eventSigningKeyPath === paths.signingKeyPath
      ? server
      : await loadOne("event", paths.eventSigningKeyPath, options, generated);
  if (!event.ok) return event;
  return ok({
    serverKey: signingKeyFromSeed(server.value.keyId, server.value.seed),
    eventKey: signingKeyFromSeed(POLICY_SERVER_KEY_ID, event.value.seed),
    generated,
  });
}

async function loadOne(
  role: "server" | "event",
  path: string,
  options: LoadOrCreateOptions,
  generated: string[],
): Promise<Result<KeyFileEntry, KeyFileError>> {
  const read = await readKeyFile(path);
  if (read.ok) return ok(read.value[0] as KeyFileEntry);
  if (read.error.kind !== "missing") return read;
  if (!options.generateMissing) {
    return err({
      ...read.error,
      message: `${role} signing key file ${path} (${ENV_NAMES[role]}) does not exist: run gen_signing_keys to create it, or point ${ENV_NAMES[role]} at your key`,
    });
  }
  const key = generateSigningKey();
  const written = await writeKeyFile(path, { keyId: key.keyId, seed: key.seed }, { overwrite: false });
  if (!written.ok) {
    // Another process may have created it between our read and write: use theirs.
    if (written.error.kind === "exists") return loadOne(role, path, { ...options, generateMissing: false }, generated);
    return written;
  }
  generated.push(path);
  options.logger.info(
    `generated a new ${role} signing key ${key.keyId} at ${path} (embedded mode; production needs gen_signing_keys)`,
  );
  return ok({ keyId: key.keyId, seed: key.seed });
}
