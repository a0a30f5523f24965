/**
 * Keyword template filter (filters.md §2.7, §3): renders each of the community's templates over the message text and
 * turns every output token into a harm. Only `m.room.message` events are checked in event mode.
 *
 * `BodyRaw` is `body + " " + formatted_body`; with `keyword_template_filter_use_full_event` it is the decoded string
 * values of the whole event (transient keys removed), one per line — decoded values rather than upstream's JSON text
 * (decisions §4b.6). Names the instance has no template for are skipped; a render error is a filter failure.
 */
import { err } from "../result.js";
import { contentString, eventStrings } from "./event-view.js";
import { keywordTemplateData, messageBodyRaw, templateOutputHarms } from "./keyword-template-data.js";
import { neutral, prohibited } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome, KeywordTemplate } from "./types.js";
import type { CommunityConfig } from "../config/community-config.js";

const NAME = "keyword_template_filter";

/** Renders every named template that exists over `bodyRaw`; any output token makes the result Prohibited. */
export function runKeywordTemplates(
  names: readonly string[],
  templates: ReadonlyMap<string, KeywordTemplate>,
  bodyRaw: string,
): FilterOutcome {
  const data = keywordTemplateData(bodyRaw);
  const harms: string[] = [];
  for (const name of names) {
    const template = templates.get(name);
    if (template === undefined) continue;
    const rendered = template.render(data);
    if (!rendered.ok) return err({ filter: NAME, message: `template "${name}": ${rendered.error}` });
    harms.push(...templateOutputHarms(rendered.value));
  }
  return harms.length > 0 ? prohibited(...harms) : neutral();
}

function templateNames(config: CommunityConfig): readonly string[] {
  return cleanList(config.keyword_template_filter_template_names);
}

export const keywordTemplateFilter: FilterDefinition = {
  name: NAME,
  group: "main",
  io: false,
  enabled: (config) => templateNames(config).length > 0,
  check: ({ event, config, keywordTemplates }) => {
    if (event.type !== "m.room.message") return neutral();
    const bodyRaw = config.keyword_template_filter_use_full_event
      ? eventStrings(event).join("\n")
      : messageBodyRaw(contentString(event, "body"), contentString(event, "formatted_body"));
    return runKeywordTemplates(templateNames(config), keywordTemplates, bodyRaw);
  },
  checkText: (text, config, context) =>
    runKeywordTemplates(templateNames(config), context?.keywordTemplates ?? new Map(), text),
};
