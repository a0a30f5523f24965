/**
 * Documentation generated from the option table, so the README's configuration reference cannot drift from what
 * the loader does, and the schema behind `GET /api/v1/instance/community_config`.
 */
import type { CommunityConfig } from "./community-config.js";
import type { OptionKind, OptionSpec } from "./option-spec.js";
import { COMMUNITY_OPTIONS, OPTIONS } from "./options.js";

const KIND_TEXT: Readonly<Record<OptionKind, string>> = {
  string: "string",
  path: "file path",
  "server-name": "server name",
  url: "URL",
  bind: "host:port",
  int: "integer",
  minutes: "integer (minutes)",
  seconds: "integer (seconds)",
  float: "number",
  bool: "boolean",
  enum: "one of",
  csv: "CSV list",
  "csv-map": "CSV of name=url",
  "token-pairs": "CSV of domain:token",
  "cidr-list": "CSV of CIDRs",
  "contact-list": "CSV of contacts",
  "key-query-server": "name,keyId,key",
};

const PREAMBLE = [
  "Every setting is an environment variable. Unset takes the default; set to an empty value, a list is empty",
  "(which turns its filter off) and a string is empty, while a number or boolean is an error. List items are",
  "trimmed and empty items dropped. Booleans take `1 t T TRUE true True 0 f F FALSE false False`. Integers are",
  "decimal, or `0x`/`0o`/`0b` prefixed; `010` is refused as ambiguous. Numbers are decimal (`inf`/`NaN` refused).",
  "Setting a name and its alias to different values, or any bad value, stops start-up with one line per problem.",
  "Unknown `PS_*` variables are logged with the closest known name. Unlike upstream, an unprefixed name (`DATABASE`)",
  "is never read. Options with a community key are instance defaults that each community may override.",
].join("\n");

/** Markdown: a preamble, then one table per group, in table order. */
export function renderConfigMarkdown(): string {
  const groups = new Map<string, OptionSpec[]>();
  for (const spec of OPTIONS) {
    const rows = groups.get(spec.group) ?? [];
    rows.push(spec);
    groups.set(spec.group, rows);
  }
  const sections = [...groups].map(([group, specs]) =>
    [`### ${group}`, "", "| Variable | Type | Default | Description |", "|---|---|---|---|", ...specs.map(row)].join(
      "\n",
    ),
  );
  return `${PREAMBLE}\n\n${sections.join("\n\n")}\n`;
}

function row(spec: OptionSpec): string {
  const names = [`\`${spec.env}\``, ...spec.aliases.map((alias) => `alias \`${alias}\``)].join("<br>");
  const kind =
    spec.kind === "enum" ? `one of ${(spec.choices ?? []).map((c) => `\`${c}\``).join(", ")}` : KIND_TEXT[spec.kind];
  const bounds = boundsText(spec);
  const type = [
    kind + bounds,
    spec.jsonKey === undefined ? "" : `community: \`${spec.jsonKey}\``,
    spec.secret ? "secret" : "",
  ]
    .filter((part) => part !== "")
    .join("<br>");
  const def = spec.default === undefined ? "" : spec.default === "" ? "(empty)" : `\`${spec.default}\``;
  const fullDefault = [def, spec.defaultNote ?? ""].filter((part) => part !== "").join("; ");
  return `| ${cell(names)} | ${cell(type)} | ${cell(fullDefault)} | ${cell(spec.doc)} |`;
}

function boundsText(spec: OptionSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` (${spec.min}..${spec.max})`;
  if (spec.min !== undefined) return ` (≥ ${spec.min})`;
  if (spec.max !== undefined) return ` (≤ ${spec.max})`;
  return "";
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The JSON type a community key takes in the admin API. */
export type CommunityValueType = "string[]" | "integer" | "number" | "boolean" | "string";

export interface CommunityKeySchema {
  readonly key: keyof CommunityConfig;
  readonly type: CommunityValueType;
  /** The instance value: what a community that does not override the key gets. */
  readonly default: CommunityConfig[keyof CommunityConfig];
  readonly env: string;
  readonly min?: number;
  readonly max?: number;
  readonly doc: string;
}

function valueType(kind: OptionKind): CommunityValueType {
  switch (kind) {
    case "csv":
      return "string[]";
    case "int":
    case "minutes":
      return "integer";
    case "float":
      return "number";
    case "bool":
      return "boolean";
    default:
      return "string";
  }
}

/** Every community-overridable key with its type, bounds, docs and instance default (`defaults`), in table order. */
export function communityConfigSchema(defaults: CommunityConfig): readonly CommunityKeySchema[] {
  return Object.freeze(
    [...COMMUNITY_OPTIONS].map(([key, spec]) =>
      Object.freeze({
        key,
        type: valueType(spec.kind),
        default: defaults[key],
        env: spec.env,
        ...(spec.min === undefined ? {} : { min: spec.min }),
        ...(spec.max === undefined ? {} : { max: spec.max }),
        doc: spec.doc,
      }),
    ),
  );
}

/**
 * The body of `GET /api/v1/instance/community_config`: every community key with its instance value, in table
 * order. Unlike upstream, keys whose default is empty are present (as `[]` or `""`), so a setup bot sees every key
 * it may set.
 */
export function instanceCommunityConfigJson(defaults: CommunityConfig): Readonly<Record<string, unknown>> {
  return Object.freeze(Object.fromEntries([...COMMUNITY_OPTIONS.keys()].map((key) => [key, defaults[key]])));
}
