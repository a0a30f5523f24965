import { err, ok, type Result } from "../result.js";
import { decodeBase64 } from "./base64.js";
import { isValidServerName } from "./ids.js";
import { setOwn, type JsonObject, type JsonValue } from "./json.js";
import type { KeyLookup, SigningKey } from "./keys.js";
import { signatureOf, signedBytes, verifyBytesAsync } from "./signing.js";

/** One `key`/`sig` pair from an X-Matrix header. */
export interface XMatrixSignature {
  readonly keyId: string;
  readonly sig: string;
}

/** The X-Matrix credentials of a request: one origin, possibly several signatures (one per header). */
export interface XMatrixAuth {
  readonly origin: string;
  /** The destination the origin named, if any (optional since spec v1.3). */
  readonly destination: string | undefined;
  readonly signatures: readonly XMatrixSignature[];
}

/** Why a request's X-Matrix authentication failed; every variant is answered 401 `M_UNAUTHORIZED`. */
export interface XMatrixError {
  readonly reason: "missing" | "malformed" | "bad_origin" | "wrong_destination" | "unknown_key" | "bad_signature";
  readonly message: string;
}

function fail(reason: XMatrixError["reason"], message: string): Result<never, XMatrixError> {
  return err({ reason, message });
}

/**
 * Splits the parameter list after the scheme. Lenient like Synapse (the shared vectors follow it): names are
 * case-insensitive, spaces and tabs around commas are fine, values are bare tokens or quoted strings with
 * backslash escapes (so a quoted value may contain commas).
 */
function parseParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skip = (chars: string): void => {
    while (i < n && chars.includes(text[i] as string)) i++;
  };
  for (;;) {
    skip(" \t,");
    if (i >= n) return params;
    const eq = text.indexOf("=", i);
    if (eq === -1) return undefined;
    const name = text.slice(i, eq).trim().toLowerCase();
    if (name === "" || /[\s,"]/.test(name)) return undefined;
    i = eq + 1;
    skip(" \t");
    let value = "";
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i] as string;
        if (c === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return undefined;
      skip(" \t");
      if (i < n && text[i] !== ",") return undefined;
    } else {
      const comma = text.indexOf(",", i);
      const end = comma === -1 ? n : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    params.set(name, value);
  }
}

/**
 * Parses the request's `Authorization` header(s) (federation.md §2.1). Headers with another scheme are ignored;
 * every X-Matrix header needs `origin`, `key` and `sig`; all must name the same origin; each contributes one
 * signature; the last header naming a destination sets it.
 */
export function parseXMatrixHeaders(headers: string | readonly string[] | undefined): Result<XMatrixAuth, XMatrixError> {
  const list = headers === undefined ? [] : typeof headers === "string" ? [headers] : headers;
  let origin: string | undefined;
  let destination: string | undefined;
  const signatures: XMatrixSignature[] = [];
  for (const header of list) {
    const trimmed = header.trimStart();
    const space = trimmed.search(/[ \t]/);
    const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
    if (scheme.toLowerCase() !== "x-matrix") continue;
    const params = space === -1 ? undefined : parseParams(trimmed.slice(space + 1));
    if (params === undefined) return fail("malformed", "X-Matrix Authorization header is malformed");
    const headerOrigin = params.get("origin");
    const keyId = params.get("key");
    const sig = params.get("sig");
    if (headerOrigin === undefined || keyId === undefined || sig === undefined) {
      return fail("malformed", "X-Matrix Authorization header must have origin, key and sig");
    }
    if (origin !== undefined && origin !== headerOrigin) {
      return fail("malformed", "X-Matrix Authorization headers name different origins");
    }
    origin = headerOrigin;
    const headerDestination = params.get("destination");
    if (headerDestination !== undefined) destination = headerDestination;
    signatures.push({ keyId, sig });
  }
  if (origin === undefined) return fail("missing", 'Missing "Authorization: X-Matrix ..." HTTP header');
  return ok({ origin, destination, signatures });
}

/**
 * The object an X-Matrix signature covers (federation.md §2.2). `uri` is the path and query exactly as sent
 * (still percent-encoded); `content` is omitted for requests without a body.
 */
export function xMatrixSignedObject(
  method: string,
  uri: string,
  origin: string,
  destination: string,
  content?: JsonValue,
): JsonObject {
  const obj: JsonObject = { method, uri, origin, destination };
  if (content !== undefined) setOwn(obj, "content", content);
  return obj;
}

/** Everything `verifyXMatrix` needs about one inbound request. */
export interface XMatrixRequest {
  readonly method: string;
  /** Raw path plus `?query`, as received. */
  readonly uri: string;
  /** All `Authorization` header values. */
  readonly authorization: string | readonly string[] | undefined;
  /** The parsed JSON body; undefined when the request had none. */
  readonly content?: JsonValue | undefined;
  /** Our own server name; a header naming another destination is refused. */
  readonly serverName: string;
  readonly getKey: KeyLookup;
}

/**
 * Authenticates an inbound federation request (federation.md §2.3): valid origin server name, destination (if
 * given) equal to ours, and at least one `ed25519:*` signature that verifies under a key from `getKey` over the
 * signed object. Resolves to the authenticated origin; every failure is a value with a message for the 401.
 */
export async function verifyXMatrix(request: XMatrixRequest): Promise<Result<{ origin: string }, XMatrixError>> {
  const parsed = parseXMatrixHeaders(request.authorization);
  if (!parsed.ok) return parsed;
  const { origin, destination, signatures } = parsed.value;
  if (!isValidServerName(origin)) return fail("bad_origin", `Invalid server name for Origin: ${JSON.stringify(origin)}`);
  if (destination !== undefined && destination !== request.serverName) {
    return fail("wrong_destination", `Unrecognised server name ${JSON.stringify(destination)} for Destination`);
  }
  const usable = signatures.filter((s) => s.keyId.startsWith("ed25519:"));
  if (usable.length === 0) return fail("unknown_key", "Request is not signed with a supported algorithm (ed25519)");

  const message = signedBytes(
    xMatrixSignedObject(request.method, request.uri, origin, request.serverName, request.content),
  );
  let keyFound = false;
  for (const { keyId, sig } of usable) {
    const decoded = decodeBase64(sig);
    if (!decoded.ok || decoded.value.length !== 64) continue;
    const key = await request.getKey(origin, keyId);
    if (key === undefined) continue;
    keyFound = true;
    if (await verifyBytesAsync(message, decoded.value, key)) return ok({ origin });
  }
  return keyFound
    ? fail("bad_signature", "Invalid request signature")
    : fail("unknown_key", `Invalid request signature: no usable key of ${origin} for the given key IDs`);
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => "\\" + c)}"`;
}

/** What an outbound request signature needs (federation.md §8.1). */
export interface OutboundRequest {
  readonly method: string;
  /** Path plus `?query` exactly as it will be sent. */
  readonly uri: string;
  readonly origin: string;
  readonly destination: string;
  /** The JSON body, or undefined for requests without one. */
  readonly content?: JsonValue | undefined;
  /** Our server key (not the policy-server event key). */
  readonly key: SigningKey;
}

/** The `Authorization` header value for an outbound federation request, signed with our server key. */
export function signXMatrixHeader(request: OutboundRequest): string {
  const obj = xMatrixSignedObject(request.method, request.uri, request.origin, request.destination, request.content);
  const sig = signatureOf(obj, request.key);
  return (
    `X-Matrix origin=${quote(request.origin)},destination=${quote(request.destination)},` +
    `key=${quote(request.key.keyId)},sig=${quote(sig)}`
  );
}
