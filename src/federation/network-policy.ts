import { BlockList, isIP, isIPv4 } from "node:net";
import { err, ok, type Result } from "../result.js";

/** One parsed CIDR block, e.g. `{family: "ipv4", address: "10.0.0.0", prefix: 8}`. */
export interface Cidr {
  readonly family: "ipv4" | "ipv6";
  readonly address: string;
  readonly prefix: number;
}

/**
 * Allowed networks when `PS_HOMESERVER_ALLOWED_NETWORKS` is unset: every IPv4 and every IPv6 address.
 * Upstream allows only `0.0.0.0/0`, which silently refuses every IPv6 peer (federation.md §8.4); we allow `::/0` too.
 */
export const DEFAULT_ALLOWED_NETWORKS = "0.0.0.0/0,::/0";

/**
 * Denied networks when `PS_HOMESERVER_DENIED_NETWORKS` is unset: upstream's list (federation.md §8.4) with its
 * `172.16.0.0./12` typo fixed, the link-local IPv6 block widened to the real `fe80::/10`, and the "this network"
 * blocks `0.0.0.0/8` and `::/128` added, because connecting to 0.0.0.0 reaches the local host on Linux.
 */
export const DEFAULT_DENIED_NETWORKS =
  "0.0.0.0/8,127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16," +
  "::/128,::1/128,fe80::/10,fc00::/7";

/**
 * Parses a comma-separated CIDR list strictly. Items are trimmed and empty items skipped (so `""` is an empty
 * list); anything else that is not `address/prefix` with a valid address and an in-range prefix is an error naming
 * the entry, because upstream's lenient parser silently ignored every entry after a typo (federation.md §8.4).
 */
export function parseCidrList(csv: string): Result<Cidr[], string> {
  const out: Cidr[] = [];
  for (const raw of csv.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const parsed = parseCidr(item);
    if (!parsed.ok) return parsed;
    out.push(parsed.value);
  }
  return ok(out);
}

/** Parses one `address/prefix` entry; the error names the entry and what is wrong with it. */
export function parseCidr(item: string): Result<Cidr, string> {
  const slash = item.indexOf("/");
  if (slash < 0) return err(`"${item}" is not a CIDR block: missing "/prefix" (use /32 or /128 for one address)`);
  const address = item.slice(0, slash);
  const prefixText = item.slice(slash + 1);
  const version = isIP(address);
  if (version === 0 || address.includes("%")) return err(`"${item}" is not a CIDR block: "${address}" is not an IP address`);
  const max = version === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return err(`"${item}" is not a CIDR block: prefix "${prefixText}" must be an integer from 0 to ${max}`);
  }
  return ok({ family: version === 4 ? "ipv4" : "ipv6", address, prefix: Number(prefixText) });
}

/** Why an address was refused or allowed. */
export type AddressDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

/**
 * Decides whether an outbound connection to an IP address is allowed: denied networks win, then the address must
 * be in an allowed network. It judges addresses only, never names, so callers must apply it to the address they
 * actually connect to (see safe-fetch.ts), which is what defeats DNS rebinding.
 */
export interface NetworkPolicy {
  check(address: string): AddressDecision;
}

/**
 * Builds a policy from parsed lists with `net.BlockList`. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are judged
 * as the IPv4 address they carry, so a denied IPv4 block cannot be bypassed through its mapped form.
 */
export function createNetworkPolicy(allowed: readonly Cidr[], denied: readonly Cidr[]): NetworkPolicy {
  const allowList = toBlockList(allowed);
  const denyList = toBlockList(denied);
  return {
    check(address: string): AddressDecision {
      const normalised = normaliseAddress(address);
      if (normalised === undefined) return { allowed: false, reason: `${address} is not an IP address` };
      if (denyList.check(normalised.address, normalised.family)) {
        return { allowed: false, reason: `${address} is in a denied network` };
      }
      if (!allowList.check(normalised.address, normalised.family)) {
        return { allowed: false, reason: `${address} is not in an allowed network` };
      }
      return { allowed: true };
    },
  };
}

/** A policy that allows every address, for callers that deliberately reach private networks (tests, overrides). */
export const ALLOW_ALL_NETWORKS: NetworkPolicy = { check: () => ({ allowed: true }) };

/** The default policy of §8.4 with the fixes described on the default constants. */
export function defaultNetworkPolicy(): NetworkPolicy {
  return createNetworkPolicy(mustParse(DEFAULT_ALLOWED_NETWORKS), mustParse(DEFAULT_DENIED_NETWORKS));
}

function mustParse(csv: string): Cidr[] {
  const parsed = parseCidrList(csv);
  if (!parsed.ok) throw new Error(`built-in network list is invalid: ${parsed.error}`);
  return parsed.value;
}

function toBlockList(cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const mapped = cidr.family === "ipv6" ? mappedIPv4(cidr.address) : undefined;
    // A rule written as ::ffff:a.b.c.d/n is the IPv4 rule a.b.c.d/(n-96); store it so to match normalised input.
    if (mapped !== undefined && cidr.prefix >= 96) list.addSubnet(mapped, cidr.prefix - 96, "ipv4");
    else list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

function normaliseAddress(address: string): { address: string; family: "ipv4" | "ipv6" } | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const zoneless = bare.includes("%") ? bare.slice(0, bare.indexOf("%")) : bare;
  const version = isIP(zoneless);
  if (version === 4) return { address: zoneless, family: "ipv4" };
  if (version !== 6) return undefined;
  const mapped = mappedIPv4(zoneless);
  return mapped !== undefined ? { address: mapped, family: "ipv4" } : { address: zoneless, family: "ipv6" };
}

/** Returns the IPv4 address inside `::ffff:a.b.c.d` / `::ffff:xxxx:yyyy`, or undefined for other IPv6 addresses. */
function mappedIPv4(address: string): string | undefined {
  const groups = expandIPv6(address.toLowerCase());
  if (groups.length !== 8 || groups.slice(0, 6).join(":") !== "0:0:0:0:0:ffff") return undefined;
  const hi = parseInt(groups[6] ?? "0", 16);
  const lo = parseInt(groups[7] ?? "0", 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Expands an IPv6 address to eight hex groups without leading zeros; an embedded IPv4 tail becomes two groups. */
function expandIPv6(address: string): string[] {
  let text = address;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? [] : new Array<string>(8 - headGroups.length - restGroups.length).fill("0");
  return [...headGroups, ...fill, ...restGroups].map((g) => parseInt(g, 16).toString(16));
}
