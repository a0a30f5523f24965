/**
 * Link filter (filters.md §2.20): Prohibited [spam] when a URL in the event is not allowed. A URL is `http://` or
 * `https://` (lower-case) followed by characters up to ASCII whitespace, `"`, `<`, `>` or a backtick. A URL is
 * disallowed when a denied glob matches it, or when an allow list exists and no allowed glob matches.
 *
 * Deviation from upstream, on purpose: upstream scanned the raw content JSON, so JSON escapes (`\n`, a closing `\"`)
 * leaked into URLs; we scan decoded string values (decisions §4b.6 applies the same rule to the keyword filters).
 */
import type { CommunityConfig } from "../config/community-config.js";
import { HARM_SPAM } from "../harms/ids.js";
import { contentStrings } from "./event-view.js";
import { matchesAnyGlob } from "./glob.js";
import { neutral, prohibited } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

const URL_PATTERN = /https?:\/\/[^\t\n\f\r "<>`]+/g;

/** Every URL in the text, in order. */
export function findUrls(text: string): string[] {
  return text.match(URL_PATTERN) ?? [];
}

/** Whether one URL passes the allow/deny globs. */
export function isUrlAllowed(url: string, allowGlobs: readonly string[], denyGlobs: readonly string[]): boolean {
  if (matchesAnyGlob(denyGlobs, url)) return false;
  return allowGlobs.length === 0 || matchesAnyGlob(allowGlobs, url);
}

function linkOutcome(strings: readonly string[], config: CommunityConfig): FilterOutcome {
  const allow = cleanList(config.link_filter_allowed_url_globs);
  const deny = cleanList(config.link_filter_denied_url_globs);
  for (const text of strings) {
    for (const url of findUrls(text)) {
      if (!isUrlAllowed(url, allow, deny)) return prohibited(HARM_SPAM);
    }
  }
  return neutral();
}

export const linkFilter: FilterDefinition = {
  name: "link_filter",
  group: "main",
  io: false,
  enabled: (config) =>
    cleanList(config.link_filter_allowed_url_globs).length > 0 ||
    cleanList(config.link_filter_denied_url_globs).length > 0,
  check: ({ event, config }) => linkOutcome(contentStrings(event.content), config),
  checkText: (text, config) => linkOutcome([text], config),
};
