import { isIPv4, isIPv6 } from "node:net";
import { err, ok, type Result } from "../result.js";

/** A server name split for discovery: `host` has no brackets; `port` is undefined when none was written. */
export interface ParsedServerName {
  readonly host: string;
  readonly port: number | undefined;
  readonly kind: "ipv4" | "ipv6" | "dns";
}

const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;

/**
 * Splits a Matrix server name (`host[:port]`, host a DNS name, IPv4 literal or `[IPv6]` literal) as the spec's
 * grammar defines it. Discovery needs the pieces, not just a yes/no, so this lives here rather than in matrix/.
 */
export function parseServerName(serverName: string): Result<ParsedServerName, string> {
  let hostPart = serverName;
  let portPart: string | undefined;
  if (serverName.startsWith("[")) {
    const close = serverName.indexOf("]");
    if (close < 0) return err(`server name ${JSON.stringify(serverName)} has an unclosed "["`);
    hostPart = serverName.slice(1, close);
    const rest = serverName.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return err(`server name ${JSON.stringify(serverName)} has text after "]"`);
      portPart = rest.slice(1);
    }
    if (!isIPv6(hostPart) || hostPart.includes("%")) {
      return err(`server name ${JSON.stringify(serverName)} has an invalid IPv6 literal`);
    }
  } else {
    const colon = serverName.lastIndexOf(":");
    if (colon >= 0) {
      hostPart = serverName.slice(0, colon);
      portPart = serverName.slice(colon + 1);
    }
    if (!DNS_NAME.test(hostPart)) return err(`server name ${JSON.stringify(serverName)} has an invalid host`);
  }
  let port: number | undefined;
  if (portPart !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portPart) || Number(portPart) < 1 || Number(portPart) > 65535) {
      return err(`server name ${JSON.stringify(serverName)} has an invalid port`);
    }
    port = Number(portPart);
  }
  const kind = serverName.startsWith("[") ? "ipv6" : isIPv4(hostPart) ? "ipv4" : "dns";
  return ok({ host: hostPart, port, kind });
}

/** Formats a host for a URL authority: IPv6 literals are bracketed. */
export function urlHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}
