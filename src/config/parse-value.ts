/**
 * One parser per option kind. Each returns the value or the problem in words (without the variable name, which
 * the loader prefixes), so every bad value becomes one clear line such as `"abc" is not an integer`.
 * Secret options never have their text echoed back.
 */
import { decodeBase64 } from "../matrix/base64.js";
import { err, ok, type Result } from "../result.js";
import type { BindAddress, KeyQueryServer, SupportContact } from "./app-config.js";
import { parseCidr, type Cidr } from "./cidr.js";
import type { OptionSpec } from "./option-spec.js";

export type OptionValue =
  | string
  | number
  | boolean
  | undefined
  | readonly string[]
  | ReadonlyMap<string, string>
  | readonly Cidr[]
  | readonly SupportContact[]
  | BindAddress
  | KeyQueryServer;

/** Parses `raw` (the variable's text, or the table default) for `spec`. */
export function parseOptionValue(spec: OptionSpec, raw: string): Result<OptionValue, string> {
  const shown = spec.secret ? "the value" : JSON.stringify(raw);
  switch (spec.kind) {
    case "string":
      if (raw === "" || spec.validateItem === undefined) return requireNonEmpty(spec, raw);
      return withCheck(spec.validateItem(raw), raw);
    case "path":
      return requireNonEmpty(spec, raw);
    case "server-name": {
      const value = raw.trim();
      if (!isServerName(value)) return err(`${shown} is not a server name (host or host:port)`);
      return ok(value);
    }
    case "url":
      return parseUrl(spec, raw.trim(), shown);
    case "bind":
      return parseBind(spec, raw.trim(), shown);
    case "int":
    case "minutes":
    case "seconds":
      return inRange(spec, parseGoInt(raw.trim(), shown));
    case "float":
      return inRange(spec, parseFloatStrict(raw.trim(), shown));
    case "bool":
      return parseGoBool(raw.trim(), shown);
    case "enum": {
      const value = raw.trim().toLowerCase();
      const choices = spec.choices ?? [];
      return choices.includes(value) ? ok(value) : err(`${shown} is not one of ${choices.join(", ")}`);
    }
    case "csv":
      return parseCsv(spec, raw);
    case "csv-map":
      return parseHostOverrides(raw);
    case "token-pairs":
      return parseTokenPairs(raw);
    case "cidr-list":
      return parseCidrList(raw);
    case "contact-list":
      return parseContacts(raw);
    case "key-query-server":
      return parseKeyQueryServer(raw);
  }
}

/** Splits on commas, trims each item and drops empty ones; `""` is an empty list (decisions §4b.7). */
export function splitCsv(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Free strings may be empty unless the table says otherwise; paths may not unless it says so. */
function requireNonEmpty(spec: OptionSpec, raw: string): Result<OptionValue, string> {
  const emptyAllowed = spec.allowEmpty ?? spec.kind === "string";
  return raw === "" && !emptyAllowed ? err("must not be empty") : ok(raw);
}

function withCheck(problem: string | undefined, value: string): Result<OptionValue, string> {
  return problem === undefined ? ok(value) : err(problem);
}

const GO_INT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0)$/;

/**
 * Integers as upstream (Go `ParseInt`, base 0) reads them, minus one trap: decimal, `0x`/`0o`/`0b` prefixes and `_`
 * digit separators are accepted, but a leading-zero literal like `010` (octal 8 in Go) is refused as ambiguous
 * rather than read differently from upstream. Values must fit a JS safe integer.
 */
export function parseGoInt(text: string, shown = JSON.stringify(text)): Result<number, string> {
  if (text === "") return err("empty value is not an integer (unset the variable to use the default)");
  if (/^[+-]?0_?[0-9]/.test(text))
    return err(`${shown} is ambiguous: a leading 0 means octal upstream; write it in decimal or with 0o`);
  if (!GO_INT.test(text)) return err(`${shown} is not an integer`);
  const negative = text.startsWith("-");
  const digits = text.replace(/^[+-]/, "").replaceAll("_", "");
  const magnitude = BigInt(digits);
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) return err(`${shown} is out of range`);
  const value = Number(magnitude);
  return ok(negative ? -value : value);
}

const DECIMAL_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Decimal numbers with optional exponent. Go also takes `inf` and `NaN`; those break every comparison, so refuse them. */
export function parseFloatStrict(text: string, shown = JSON.stringify(text)): Result<number, string> {
  if (text === "") return err("empty value is not a number (unset the variable to use the default)");
  if (!DECIMAL_FLOAT.test(text)) return err(`${shown} is not a number`);
  const value = Number(text);
  if (!Number.isFinite(value)) return err(`${shown} is out of range`);
  return ok(value);
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool` set, exactly. */
export function parseGoBool(text: string, shown = JSON.stringify(text)): Result<boolean, string> {
  if (TRUE.has(text)) return ok(true);
  if (FALSE.has(text)) return ok(false);
  return err(`${shown} is not a boolean (use true or false)`);
}

function inRange(spec: OptionSpec, parsed: Result<number, string>): Result<OptionValue, string> {
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && (value < min || value > max))
    return err(`${value} is outside ${min}..${max}`);
  if (min !== undefined && value < min) return err(`${value} is less than the minimum ${min}`);
  if (max !== undefined && value > max) return err(`${value} is more than the maximum ${max}`);
  return parsed;
}

const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,255})(?::(\d{1,5}))?$/;

/** Matrix server-name grammar: DNS name, IPv4 or bracketed IPv6, optional port. */
export function isServerName(value: string): boolean {
  const match = SERVER_NAME.exec(value);
  if (match === null) return false;
  const port = match[1];
  return port === undefined || Number(port) <= 65535;
}

function parseUrl(spec: OptionSpec, value: string, shown: string): Result<OptionValue, string> {
  if (value === "") return spec.allowEmpty === true ? ok("") : err("must not be empty");
  const schemes = spec.schemes ?? ["http:", "https:"];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return err(`${shown} is not a URL`);
  }
  if (!schemes.includes(url.protocol)) {
    return err(`${shown} must be a ${schemes.map((s) => s.slice(0, -1)).join(" or ")} URL`);
  }
  return ok(value);
}

function parseBind(spec: OptionSpec, value: string, shown: string): Result<OptionValue, string> {
  if (value === "") return spec.allowEmpty === true ? ok(undefined) : err("must not be empty");
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(value);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (match === null || host === undefined || port > 65535)
    return err(`${shown} is not a listen address (host:port, port 0..65535)`);
  const bareHost = host.startsWith("[") ? host.slice(1, -1) : host;
  const bind: BindAddress = { host: bareHost === "" ? "0.0.0.0" : bareHost, port };
  return ok(bind);
}

function parseCsv(spec: OptionSpec, raw: string): Result<OptionValue, string> {
  const items = splitCsv(raw);
  if (spec.validateItem !== undefined) {
    for (const item of items) {
      const problem = spec.validateItem(item);
      if (problem !== undefined) return err(problem);
    }
  }
  return ok(items);
}

/** `server_name=base_url` pairs (PS_FEDERATION_HOST_OVERRIDES). Trailing slashes are dropped from the URL. */
function parseHostOverrides(raw: string): Result<OptionValue, string> {
  const map = new Map<string, string>();
  for (const item of splitCsv(raw)) {
    const eq = item.indexOf("=");
    if (eq < 0) return err(`${JSON.stringify(item)} is not a name=url pair`);
    const name = item.slice(0, eq).trim();
    const url = item.slice(eq + 1).trim();
    if (!isServerName(name)) return err(`${JSON.stringify(name)} in ${JSON.stringify(item)} is not a server name`);
    if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url))
      return err(`${JSON.stringify(url)} for ${name} is not an http(s) URL`);
    if (map.has(name)) return err(`${name} is listed twice`);
    map.set(name, url.replace(/\/+$/, ""));
  }
  return ok(map);
}

/**
 * `domain:token` pairs (PS_MODERATOR_ACCESS_TOKENS). Split on the last colon so a domain may carry a port, which
 * upstream's exact-two-parts rule made impossible. Tokens are secret: errors name the pair's position instead.
 */
function parseTokenPairs(raw: string): Result<OptionValue, string> {
  const map = new Map<string, string>();
  const items = splitCsv(raw);
  for (const [index, item] of items.entries()) {
    const colon = item.lastIndexOf(":");
    const domain = colon < 0 ? "" : item.slice(0, colon).trim();
    const token = colon < 0 ? "" : item.slice(colon + 1).trim();
    if (domain === "" || token === "") return err(`pair ${index + 1} is not domain:token`);
    if (!isServerName(domain)) return err(`pair ${index + 1} has a domain that is not a host or host:port`);
    if (map.has(domain)) return err(`domain ${domain} is listed twice`);
    map.set(domain, token);
  }
  return ok(map);
}

function parseCidrList(raw: string): Result<OptionValue, string> {
  const cidrs: Cidr[] = [];
  for (const item of splitCsv(raw)) {
    const parsed = parseCidr(item);
    if (!parsed.ok) return parsed;
    cidrs.push(parsed.value);
  }
  return ok(cidrs);
}

/** Support contacts: each must contain `@`; a leading `@` (after trimming) makes it a Matrix ID. */
function parseContacts(raw: string): Result<OptionValue, string> {
  const contacts: SupportContact[] = [];
  for (const item of splitCsv(raw)) {
    if (!item.includes("@")) return err(`${JSON.stringify(item)} is neither a Matrix user ID nor an email address`);
    if (item.startsWith("@") && !/^@[^:]+:.+$/.test(item))
      return err(`${JSON.stringify(item)} is not a Matrix user ID (@localpart:server)`);
    contacts.push({ kind: item.startsWith("@") ? "matrix_id" : "email_address", value: item });
  }
  return ok(contacts);
}

/**
 * `name,keyId,key`. Upstream insists on unpadded standard base64; we accept either alphabet, padded or not
 * (decisions §1.2 accepts both alphabets on input), and require 32 bytes.
 */
function parseKeyQueryServer(raw: string): Result<OptionValue, string> {
  const items = splitCsv(raw);
  if (items.length !== 3) return err(`must be name,keyId,base64key (3 items), got ${items.length}`);
  const [serverName, keyId, key] = items as [string, string, string];
  if (!isServerName(serverName)) return err(`${JSON.stringify(serverName)} is not a server name`);
  if (!/^ed25519:[A-Za-z0-9_]+$/.test(keyId))
    return err(`key ID ${JSON.stringify(keyId)} must look like ed25519:<version>`);
  const decoded = decodeBase64(key);
  const bytes = decoded.ok ? decoded.value : undefined;
  if (bytes === undefined || bytes.length !== 32)
    return err(`key ${JSON.stringify(key)} is not a base64 ed25519 public key (32 bytes)`);
  const server: KeyQueryServer = { serverName, keyId, publicKey: bytes.toString("base64").replace(/=+$/, "") };
  return ok(server);
}
