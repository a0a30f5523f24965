/**
 * The production filters, listed explicitly in alphabetical order of name (no self-registration at import time, so
 * what runs is visible here). Each community's plan picks the enabled ones (src/pipeline/plan.ts). The OpenAI and
 * HMA filters need services (FilterServices.openai / .hma) that the composition root binds.
 */
import { densityFilter } from "./density-filter.js";
import { eventTypePrefilter } from "./event-type-prefilter.js";
import { frequencyFilter } from "./frequency-filter.js";
import { hellbanPostfilter } from "./hellban-postfilter.js";
import { hellbanPrefilter } from "./hellban-prefilter.js";
import { hmaFilter } from "./hma-filter.js";
import { inlineEmojiSizeFilter } from "./inline-emoji-size-filter.js";
import { keywordFilter } from "./keyword-filter.js";
import { keywordTemplateFilter } from "./keyword-template-filter.js";
import { lengthFilter } from "./length-filter.js";
import { linkFilter } from "./link-filter.js";
import { manyAtsFilter } from "./many-ats-filter.js";
import { mediaFilter } from "./media-filter.js";
import { mentionFrequencyFilter } from "./mention-frequency-filter.js";
import { mentionsFilter } from "./mentions-filter.js";
import { openaiFilter } from "./openai-filter.js";
import { policyListFilter } from "./policy-list-filter.js";
import { protectLocalUserFilter } from "./protect-local-user-filter.js";
import { senderPrefilter } from "./sender-prefilter.js";
import { stickyEventsFilter } from "./sticky-events-filter.js";
import { trimLengthFilter } from "./trim-length-filter.js";
import type { FilterDefinition } from "./types.js";
import { unsafeSigningKeyFilter } from "./unsafe-signing-key-filter.js";
import { untrustedMediaFilter } from "./untrusted-media-filter.js";
import { userIdLengthFilter } from "./user-id-length-filter.js";
import { userIdWordsFilter } from "./user-id-words-filter.js";

/**
 * Throws when two filters share a name: names key traces, metrics and logs, so a duplicate is a programming error
 * that must stop start-up rather than blur every verdict.
 */
export function assertUniqueFilterNames(filters: readonly FilterDefinition[]): void {
  const seen = new Set<string>();
  for (const filter of filters) {
    if (seen.has(filter.name)) throw new Error(`duplicate filter name in registry: "${filter.name}"`);
    seen.add(filter.name);
  }
}

/** Every production filter, alphabetical by name. */
export const FILTERS: readonly FilterDefinition[] = Object.freeze([
  densityFilter,
  eventTypePrefilter,
  frequencyFilter,
  hellbanPostfilter,
  hellbanPrefilter,
  hmaFilter,
  inlineEmojiSizeFilter,
  keywordFilter,
  keywordTemplateFilter,
  lengthFilter,
  linkFilter,
  manyAtsFilter,
  mediaFilter,
  mentionFrequencyFilter,
  mentionsFilter,
  openaiFilter,
  policyListFilter,
  protectLocalUserFilter,
  senderPrefilter,
  stickyEventsFilter,
  trimLengthFilter,
  unsafeSigningKeyFilter,
  untrustedMediaFilter,
  userIdLengthFilter,
  userIdWordsFilter,
]);

assertUniqueFilterNames(FILTERS);
