import { isIPv6 } from "node:net";
import { err, ok, type Result } from "../result.js";

/** A parsed Matrix user ID. */
export interface UserId {
  readonly localpart: string;
  readonly serverName: string;
}

const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const PORT = /^[0-9]{1,5}$/;
// Historical user IDs (spec "Historical User IDs"): any printable ASCII except ':'. Servers must still accept
// them over federation, so a sender using one is valid; non-ASCII, spaces and controls never were.
const HISTORICAL_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;
const MAX_ID_LENGTH = 255;

/**
 * True for a server name per the spec grammar: a DNS name (`[A-Za-z0-9.-]`, which also covers IPv4 literals)
 * or a bracketed IPv6 literal, optionally followed by `:port` (1–65535).
 */
export function isValidServerName(name: string): boolean {
  let host = name;
  if (name.startsWith("[")) {
    const close = name.indexOf("]");
    if (close === -1) return false;
    host = name.slice(0, close + 1);
    const rest = name.slice(close + 1);
    if (rest !== "" && !(rest.startsWith(":") && validPort(rest.slice(1)))) return false;
    return isIPv6(host.slice(1, -1));
  }
  const colon = name.lastIndexOf(":");
  if (colon !== -1) {
    if (!validPort(name.slice(colon + 1))) return false;
    host = name.slice(0, colon);
  }
  return DNS_NAME.test(host);
}

function validPort(port: string): boolean {
  if (!PORT.test(port)) return false;
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

/**
 * Parses `@localpart:server_name`. Localparts follow the historical grammar (printable ASCII except `:`), which the
 * spec requires servers to accept from federation; the ID must be at most 255 characters and the server name valid.
 * Anything else (empty localpart, non-ASCII, spaces, bad server name) is refused with the reason, and
 * decisions §2.3 turns that into a Prohibited verdict before any filter runs.
 */
export function parseUserId(id: string): Result<UserId, string> {
  if (!id.startsWith("@")) return err(`user ID ${JSON.stringify(id)} does not start with '@'`);
  if (id.length > MAX_ID_LENGTH) return err(`user ID is longer than ${MAX_ID_LENGTH} characters`);
  const colon = id.indexOf(":");
  if (colon === -1) return err(`user ID ${JSON.stringify(id)} has no ':' before the server name`);
  const localpart = id.slice(1, colon);
  const serverName = id.slice(colon + 1);
  if (localpart === "") return err(`user ID ${JSON.stringify(id)} has an empty localpart`);
  if (!HISTORICAL_LOCALPART.test(localpart)) {
    return err(`user ID ${JSON.stringify(id)} has a localpart with characters outside printable ASCII`);
  }
  if (!isValidServerName(serverName)) return err(`user ID ${JSON.stringify(id)} has an invalid server name`);
  return ok({ localpart, serverName });
}

/**
 * The server part of a sigil-prefixed ID (`@user:server`, `!room:server`, `$event:server`), or undefined when the
 * ID has no `:` or what follows is not a valid server name (v3+ event IDs and v12 room IDs have no server part).
 */
export function serverNameOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  if (colon < 1) return undefined;
  const server = id.slice(colon + 1);
  return isValidServerName(server) ? server : undefined;
}
