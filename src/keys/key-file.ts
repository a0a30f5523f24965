/**
 * Signing key files (decisions §4.4, federation.md §4.1). We read the three layouts operators already have:
 * - Synapse: a line `ed25519 <version> <unpadded base64 seed>`;
 * - Dendrite PEM: a `MATRIX PRIVATE KEY` block with a `Key-ID: ed25519:<version>` header;
 * - upstream's MMR PEM: a `MMR PRIVATE KEY` block with `Key-ID` and `Version: 1` headers,
 * and we write only the last, so a file we generate also works with upstream policyserv.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { decodeBase64 } from "../matrix/base64.js";
import { err, ok, type Result } from "../result.js";

/** One key found in a file: its ID and the 32-byte RFC 8032 seed the private key derives from. */
export interface KeyFileEntry {
  readonly keyId: string;
  readonly seed: Uint8Array;
}

export type KeyFileErrorKind = "missing" | "unreadable" | "malformed" | "exists" | "write-failed";

export interface KeyFileError {
  readonly kind: KeyFileErrorKind;
  readonly path: string;
  /** A whole sentence for the operator, naming the file and what to do. */
  readonly message: string;
}

const VERSION = /^[A-Za-z0-9_]+$/;
const PEM_TYPES = new Set(["MATRIX PRIVATE KEY", "MMR PRIVATE KEY"]);

/** Parses a key file's text. Every key in the file is returned in order; callers use the first. */
export function parseKeyFile(text: string, path: string): Result<KeyFileEntry[], KeyFileError> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const keys: KeyFileEntry[] = [];
  const malformed = (lineIndex: number, problem: string): Result<KeyFileEntry[], KeyFileError> =>
    err({
      kind: "malformed",
      path,
      message: `signing key file ${path} is malformed at line ${lineIndex + 1}: ${problem}`,
    });

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(line);
    if (begin === null) {
      const parsed = parseSynapseLine(line);
      if (!parsed.ok) return malformed(i, parsed.error);
      keys.push(parsed.value);
      continue;
    }
    const type = begin[1] ?? "";
    if (!PEM_TYPES.has(type))
      return malformed(i, `unsupported PEM block "${type}" (expected MATRIX PRIVATE KEY or MMR PRIVATE KEY)`);
    const block = readPemBlock(lines, i, type);
    if (!block.ok) return malformed(block.error.line, block.error.problem);
    const entry = pemEntry(type, block.value.headers, block.value.body);
    if (!entry.ok) return malformed(i, entry.error);
    keys.push(entry.value);
    i = block.value.endLine;
  }
  if (keys.length === 0) return err({ kind: "malformed", path, message: `signing key file ${path} contains no key` });
  return ok(keys);
}

function parseSynapseLine(line: string): Result<KeyFileEntry, string> {
  const parts = line.split(/\s+/);
  if (parts.length !== 3) return err('expected "ed25519 <version> <base64 seed>" or a PEM block');
  const [algorithm, version, seedText] = parts as [string, string, string];
  if (algorithm !== "ed25519") return err(`unsupported algorithm "${algorithm}" (only ed25519)`);
  if (!VERSION.test(version)) return err(`key version "${version}" may only contain A-Z, a-z, 0-9 and _`);
  const seed = decodeSeed(seedText);
  return seed.ok ? ok({ keyId: `ed25519:${version}`, seed: seed.value }) : seed;
}

interface PemBlock {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
  readonly endLine: number;
}

/** Reads from the BEGIN line at `start` to the matching END line: `Name: value` headers, a blank line, base64. */
function readPemBlock(
  lines: readonly string[],
  start: number,
  type: string,
): Result<PemBlock, { line: number; problem: string }> {
  const headers = new Map<string, string>();
  let body = "";
  let inHeaders = true;
  for (let i = start + 1; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === `-----END ${type}-----`) return ok({ headers, body, endLine: i });
    if (line.startsWith("-----"))
      return err({ line: i, problem: `expected -----END ${type}-----, found ${JSON.stringify(line)}` });
    const header = inHeaders ? /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line) : null;
    if (header !== null) {
      headers.set(header[1] ?? "", header[2] ?? "");
      continue;
    }
    inHeaders = false;
    if (line === "") continue;
    if (!/^[A-Za-z0-9+/=_-]+$/.test(line)) return err({ line: i, problem: "the key body is not base64" });
    body += line;
  }
  return err({ line: start, problem: `-----BEGIN ${type}----- has no matching END line` });
}

function pemEntry(type: string, headers: ReadonlyMap<string, string>, body: string): Result<KeyFileEntry, string> {
  const keyId = headers.get("Key-ID");
  if (keyId === undefined) return err(`the ${type} block has no Key-ID header`);
  if (!keyId.startsWith("ed25519:")) return err(`Key-ID "${keyId}" does not start with ed25519:`);
  const version = keyId.slice("ed25519:".length);
  if (!VERSION.test(version)) return err(`key version "${version}" may only contain A-Z, a-z, 0-9 and _`);
  if (type === "MMR PRIVATE KEY" && headers.get("Version") !== "1") {
    return err(
      `the MMR PRIVATE KEY block needs a "Version: 1" header, found ${JSON.stringify(headers.get("Version") ?? "none")}`,
    );
  }
  const seed = decodeSeed(body);
  return seed.ok ? ok({ keyId, seed: seed.value }) : seed;
}

function decodeSeed(text: string): Result<Uint8Array, string> {
  const decoded = decodeBase64(text);
  if (!decoded.ok) return err(`the key is not valid base64 (${decoded.error})`);
  if (decoded.value.length !== 32) return err(`the key is ${decoded.value.length} bytes; an ed25519 seed is 32`);
  return ok(new Uint8Array(decoded.value));
}

/** Reads and parses `path`. A missing file tells the operator to run gen_signing_keys. */
export async function readKeyFile(path: string): Promise<Result<KeyFileEntry[], KeyFileError>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return err({
        kind: "missing",
        path,
        message: `signing key file ${path} does not exist: run gen_signing_keys to create it`,
      });
    }
    return err({
      kind: "unreadable",
      path,
      message: `signing key file ${path} cannot be read: ${(error as Error).message}`,
    });
  }
  return parseKeyFile(text, path);
}

/** The MMR PEM layout upstream's gen_signing_keys writes (api_storage_config.md §8), headers sorted as Go sorts them. */
export function formatKeyFile(key: KeyFileEntry): string {
  if (key.seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${key.seed.length}`);
  if (!key.keyId.startsWith("ed25519:") || !VERSION.test(key.keyId.slice("ed25519:".length))) {
    throw new RangeError(`key ID must be ed25519:<[A-Za-z0-9_]+>, got ${JSON.stringify(key.keyId)}`);
  }
  const body = Buffer.from(key.seed).toString("base64");
  return [
    "-----BEGIN MMR PRIVATE KEY-----",
    `Key-ID: ${key.keyId}`,
    "Version: 1",
    "",
    body,
    "-----END MMR PRIVATE KEY-----",
    "",
  ].join("\n");
}

export interface WriteKeyFileOptions {
  /** Replace an existing file. Without it an existing file is an `exists` error and is left untouched. */
  readonly overwrite: boolean;
}

/**
 * Writes `key` to `path` in the MMR layout with mode 0600, creating the parent directory. Without `overwrite`
 * the file is created exclusively, so two racing writers cannot clobber each other; with it, the new file is
 * written beside the old one and renamed over it, so a crash never leaves a half-written key.
 */
export async function writeKeyFile(
  path: string,
  key: KeyFileEntry,
  options: WriteKeyFileOptions,
): Promise<Result<void, KeyFileError>> {
  const text = formatKeyFile(key);
  const target = options.overwrite ? `${path}.${randomBytes(6).toString("hex")}.tmp` : path;
  const failed = (error: unknown): Result<void, KeyFileError> =>
    err({ kind: "write-failed", path, message: `cannot write signing key file ${path}: ${(error as Error).message}` });
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    return failed(error);
  }
  let handle;
  try {
    handle = await open(target, "wx", 0o600);
  } catch (error) {
    // Only the exclusive create can mean "someone's key is already there"; everything else is a plain failure.
    if ((error as NodeJS.ErrnoException).code === "EEXIST" && !options.overwrite) {
      return err({
        kind: "exists",
        path,
        message: `signing key file ${path} already exists: not replacing it (use --overwrite to replace it)`,
      });
    }
    return failed(error);
  }
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask can only remove bits from 0600, but say exactly what we mean.
    await chmod(target, 0o600);
    if (options.overwrite) await rename(target, path);
    return ok(undefined);
  } catch (error) {
    if (options.overwrite) await unlink(target).catch(() => undefined);
    return failed(error);
  }
}
