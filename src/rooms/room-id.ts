import { isValidServerName } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";

// v12 room IDs are `!` + the URL-safe unpadded base64 of a SHA-256 reference hash: exactly 43 characters.
const V12_ROOM_ID = /^![A-Za-z0-9_-]{43}$/;
const MAX_ROOM_ID_BYTES = 255;

/**
 * Checks a room ID before any federation traffic (federation.md §6.2 step 1): either `!opaque:server_name` with a
 * valid server name, or a v12 domain-less `!` + 43 URL-safe base64 characters. The error names what is wrong, for
 * the admin API's answer and the start-up logs.
 */
export function validateRoomId(roomId: string): Result<string, string> {
  if (!roomId.startsWith("!")) return err(`room ID ${JSON.stringify(roomId)} does not start with '!'`);
  if (Buffer.byteLength(roomId, "utf8") > MAX_ROOM_ID_BYTES) return err(`room ID is longer than ${MAX_ROOM_ID_BYTES} bytes`);
  if (V12_ROOM_ID.test(roomId)) return ok(roomId);
  const colon = roomId.indexOf(":");
  if (colon === -1) {
    return err(`room ID ${JSON.stringify(roomId)} has no ':server_name' and is not a 43-character v12 room ID`);
  }
  if (colon === 1) return err(`room ID ${JSON.stringify(roomId)} has an empty opaque part`);
  const server = roomId.slice(colon + 1);
  if (!isValidServerName(server)) return err(`room ID ${JSON.stringify(roomId)} has an invalid server name ${JSON.stringify(server)}`);
  return ok(roomId);
}
