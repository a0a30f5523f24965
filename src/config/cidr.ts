/**
 * CIDR parsing for the outbound allow/deny lists (decisions §4.6). Parsing is strict so that a typo such as
 * upstream's `172.16.0.0./12` is a start-up error instead of a silently missing rule; matching itself is left to
 * `net.BlockList` (decisions §6b), which `cidrBlockList` builds.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { err, ok, type Result } from "../result.js";

export interface Cidr {
  /** The address as written (host bits may be set, as Go's ParseCIDR allows: `127.0.0.1/8`). */
  readonly address: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
}

/** Parses `address/prefix`; the prefix is required and must fit the family (0..32 or 0..128). */
export function parseCidr(text: string): Result<Cidr, string> {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return err(`${JSON.stringify(text)} is not a CIDR (missing /prefix)`);
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
  if (family === undefined)
    return err(`${JSON.stringify(text)} is not a CIDR (${JSON.stringify(address)} is not an IP address)`);
  const maxPrefix = family === "ipv4" ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return err(`${JSON.stringify(text)} is not a CIDR (prefix must be 0..${maxPrefix})`);
  }
  return ok({ address, prefix: Number(prefixText), family });
}

/** Builds a `net.BlockList` matching any of `cidrs`; callers check the address actually connected to. */
export function cidrBlockList(cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return list;
}

/** `address/prefix`, as written in the variable. */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}
