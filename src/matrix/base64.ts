import { err, ok, type Result } from "../result.js";

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes Matrix base64 leniently in alphabet and padding, strictly in everything else: standard or URL-safe
 * alphabet (not both mixed), padded or unpadded. Matrix says unpadded standard, but peers send URL-safe key and
 * signature strings and Python's signedjson accepts padding, so refusing either would reject valid traffic.
 * Whitespace, mixed alphabets, misplaced `=` and impossible lengths are errors with a message saying which.
 */
export function decodeBase64(input: string): Result<Buffer, string> {
  let body = input;
  const firstPad = input.indexOf("=");
  if (firstPad !== -1) {
    body = input.slice(0, firstPad);
    const padding = input.slice(firstPad);
    if (padding !== "=" && padding !== "==") return err("base64 has '=' padding in the wrong place");
    if (input.length % 4 !== 0) return err("padded base64 length is not a multiple of 4");
  }
  if (body.length % 4 === 1) return err("base64 length is impossible (one character left over)");
  if (STANDARD.test(body)) return ok(Buffer.from(body, "base64"));
  if (URL_SAFE.test(body)) return ok(Buffer.from(body, "base64url"));
  if (/[+/]/.test(body) && /[-_]/.test(body)) return err("base64 mixes the standard and URL-safe alphabets");
  return err("base64 contains a character outside both alphabets");
}

/** Standard-alphabet unpadded base64: the Matrix wire form for keys, signatures and hashes. */
export function encodeBase64(bytes: Uint8Array): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** URL-safe unpadded base64: v4+ event IDs and v12 room IDs. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}
