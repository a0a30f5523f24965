/**
 * Whether downloaded media is a video or a photo, for HMA's `/h/hash` field name (filters.md §2.18). Upstream uses
 * WHATWG MIME sniffing and sends "video" for any `video/*` result; the video signatures of that algorithm (MP4, WebM,
 * AVI) are matched here from the bytes, since declared Content-Types are the uploader's word and often wrong.
 * Hand-written because the sniffing packages on npm are browser-oriented or unmaintained; it is a dozen bytes.
 */
export type MediaKind = "photo" | "video";

/** Sniffs the first bytes; anything that is not a recognised video is a photo, as upstream decides. */
export function sniffMediaKind(bytes: Uint8Array): MediaKind {
  return isMp4(bytes) || isWebm(bytes) || isAvi(bytes) ? "video" : "photo";
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.subarray(start, start + length)).toString("latin1");
}

/** WHATWG "matches the signature for MP4": an `ftyp` box whose major or a compatible brand starts with `mp4`. */
function isMp4(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const boxSize = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  if (boxSize < 12 || boxSize > bytes.length || boxSize % 4 !== 0) return false;
  if (ascii(bytes, 4, 4) !== "ftyp") return false;
  if (ascii(bytes, 8, 3) === "mp4") return true;
  for (let offset = 16; offset + 3 <= boxSize; offset += 4) if (ascii(bytes, offset, 3) === "mp4") return true;
  return false;
}

/** WebM: the EBML magic followed, within the header, by the DocType "webm". */
function isWebm(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x1a || bytes[1] !== 0x45 || bytes[2] !== 0xdf || bytes[3] !== 0xa3) return false;
  return ascii(bytes, 4, Math.min(bytes.length, 64) - 4).includes("webm");
}

/** AVI: a RIFF container of form type `AVI `. */
function isAvi(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "AVI ";
}
