/**
 * What `gen_signing_keys` does, as a function: create the server and event key files, never replacing one without
 * `overwrite`, and say for each what happened. An existing file is kept and reported (with its public key), which
 * makes the tool safe to re-run, as upstream's is.
 */
import { generateSigningKey, signingKeyFromSeed } from "../matrix/keys.js";
import { readKeyFile, writeKeyFile } from "./key-file.js";
import { POLICY_SERVER_KEY_ID, type KeyPaths } from "./load-or-create.js";

export type KeyFileStatus = "written" | "kept" | "failed";

export interface KeyFileOutcome {
  readonly role: "server" | "event";
  readonly path: string;
  readonly status: KeyFileStatus;
  /** The ID in the file (absent when failed). */
  readonly keyId?: string;
  /** The ID peers see: the file's for the server key, `ed25519:policy_server` for the event key. */
  readonly publishedKeyId?: string;
  /** Standard unpadded base64. */
  readonly publicKey?: string;
  /** One line for the operator. */
  readonly message: string;
}

/** Generates the key files named by `paths`. When both paths are the same file, one key serves both roles. */
export async function generateKeyFiles(
  paths: KeyPaths,
  options: { readonly overwrite: boolean },
): Promise<KeyFileOutcome[]> {
  const outcomes: KeyFileOutcome[] = [];
  const server = await generateOne("server", paths.signingKeyPath, options.overwrite);
  outcomes.push(server);
  if (paths.eventSigningKeyPath === paths.signingKeyPath) {
    outcomes.push(
      describe(
        "event",
        paths.eventSigningKeyPath,
        server.status === "failed" ? "failed" : "kept",
        server.keyId,
        server.publicKey,
        "is the same file as the server key",
      ),
    );
  } else {
    outcomes.push(await generateOne("event", paths.eventSigningKeyPath, options.overwrite));
  }
  return outcomes;
}

async function generateOne(role: "server" | "event", path: string, overwrite: boolean): Promise<KeyFileOutcome> {
  const key = generateSigningKey();
  const written = await writeKeyFile(path, { keyId: key.keyId, seed: key.seed }, { overwrite });
  if (written.ok) return describe(role, path, "written", key.keyId, key.publicKeyBase64, "");
  if (written.error.kind !== "exists")
    return describe(role, path, "failed", undefined, undefined, written.error.message);
  const existing = await readKeyFile(path);
  if (!existing.ok)
    return describe(
      role,
      path,
      "failed",
      undefined,
      undefined,
      `${existing.error.message} (it was kept; use --overwrite to replace it)`,
    );
  const first = existing.value[0];
  if (first === undefined) throw new Error("readKeyFile returned no key");
  const publicKey = signingKeyFromSeed(first.keyId, first.seed).publicKeyBase64;
  return describe(
    role,
    path,
    "kept",
    first.keyId,
    publicKey,
    "already exists, not making a new key for it (use --overwrite to replace it)",
  );
}

function describe(
  role: "server" | "event",
  path: string,
  status: KeyFileStatus,
  keyId: string | undefined,
  publicKey: string | undefined,
  note: string,
): KeyFileOutcome {
  const publishedKeyId = keyId === undefined ? undefined : role === "event" ? POLICY_SERVER_KEY_ID : keyId;
  const what = `${role} key ${path}`;
  const ids =
    keyId === undefined
      ? ""
      : `key ID ${keyId}${publishedKeyId === keyId ? "" : ` (published as ${publishedKeyId})`}, public key ${publicKey}`;
  const message =
    status === "written"
      ? `wrote ${what}: ${ids}`
      : status === "kept"
        ? `kept ${what}: ${note}; ${ids}`
        : `failed ${what}: ${note}`;
  return {
    role,
    path,
    status,
    ...(keyId === undefined ? {} : { keyId }),
    ...(publishedKeyId === undefined ? {} : { publishedKeyId }),
    ...(publicKey === undefined ? {} : { publicKey }),
    message,
  };
}
