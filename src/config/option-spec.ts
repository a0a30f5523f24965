/**
 * The shape of one row of the option table (options.ts). Kept apart from the table so parsers and docs can
 * import the types without pulling in every row.
 */
import type { CommunityConfig } from "./community-config.js";

/**
 * How a variable's text becomes a value. Every kind has one parser in parse-value.ts and one line of
 * documentation in docs.ts, so adding a kind means touching both.
 */
export type OptionKind =
  | "string"
  | "path"
  | "server-name"
  | "url"
  | "bind"
  | "int"
  | "minutes"
  | "seconds"
  | "float"
  | "bool"
  | "enum"
  | "csv"
  | "csv-map"
  | "token-pairs"
  | "cidr-list"
  | "contact-list"
  | "key-query-server";

/** Groups follow the README's sections so the generated docs read in the same order. */
export type OptionGroup =
  | "Deployment"
  | "Database"
  | "HTTP"
  | "Signing keys"
  | "Federation"
  | "Rooms"
  | "Processing pools"
  | "Admin API and moderation"
  | "Media"
  | "Webhooks"
  | "Support"
  | "Logging"
  | "Filters: general"
  | "Filters: prefilters"
  | "Filters: hellban"
  | "Filters: keywords"
  | "Filters: mentions"
  | "Filters: media"
  | "Filters: policy list"
  | "Filters: density and length"
  | "Filters: links"
  | "Filters: rate limits"
  | "Filters: user IDs"
  | "Filters: sticky events and emoji"
  | "Filters: OpenAI"
  | "Filters: HMA"
  | "Filters: signing keys"
  | "Moderation bot";

export interface OptionSpec {
  /** The name the README documents: this is the name docs and errors prefer. */
  readonly env: string;
  /** Other accepted names (what upstream's code actually reads, decisions §1.1). Setting two names differently is an error. */
  readonly aliases: readonly string[];
  /** Set for community-overridable options: the JSON key of the admin API and of CommunityConfig. */
  readonly jsonKey: keyof CommunityConfig | undefined;
  readonly kind: OptionKind;
  /** For `enum` only: the accepted values. */
  readonly choices?: readonly string[];
  /**
   * The default, written exactly as an operator would write the variable, and parsed by the same parser as a
   * set value, so docs and behaviour cannot drift. `undefined` means "unset has its own meaning" (see defaultNote).
   */
  readonly default: string | undefined;
  /** Extra words for the docs' default column, e.g. the Docker image's value. */
  readonly defaultNote?: string;
  /** Inclusive bounds for numeric kinds. */
  readonly min?: number;
  readonly max?: number;
  /** For string-like kinds: whether `""` is accepted (it usually means "off"). Lists always accept `""`. */
  readonly allowEmpty?: boolean;
  /** For `url`: accepted URL schemes, with the colon as `URL.protocol` spells them. Default `http:` and `https:`. */
  readonly schemes?: readonly string[];
  /**
   * Extra check of a non-empty `string` value or of each `csv` item: returns the problem, or undefined when fine.
   * Lets the table say "room ID" or "user ID" without a new kind per Matrix identifier.
   */
  readonly validateItem?: (item: string) => string | undefined;
  /** Never logged, and never echoed in an error message. */
  readonly secret: boolean;
  readonly group: OptionGroup;
  /** One line for the docs. */
  readonly doc: string;
}
