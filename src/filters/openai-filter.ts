/**
 * OpenAI filter (filters.md §2.17, README "OpenAI filter"): renders the event to text and asks the omni moderation
 * model about each text in order. Runs only in `PS_OPENAI_FILTER_ALLOWED_ROOM_IDS` and only with
 * `PS_OPENAI_FILTER_API_KEY` set. A flagged text is Prohibited with spam plus harms mapped from the flagged
 * categories (upstream kept only spam and CSAM); an API error is Prohibited [other] when `openai_filter_fail_secure`
 * is on, no opinion otherwise. The call is bounded by the client's own timeout and concurrency limit, and the filter
 * runs in its own I/O actor, so a slow OpenAI delays only this filter, never others or other checks.
 */
import { HARM_OTHER } from "../harms/content-info.js";
import {
  HARM_ADULT,
  HARM_CHILD_SAFETY_CSAM,
  HARM_DANGER_SELF_HARM,
  HARM_HARASSMENT,
  HARM_HARASSMENT_HATE,
  HARM_SPAM,
  HARM_TOS_PROHIBITED,
  HARM_VIOLENCE,
  HARM_VIOLENCE_GRAPHIC,
  HARM_VIOLENCE_THREATS,
} from "../harms/ids.js";
import { contentString, isJsonObject } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition, FilterEvent, FilterOutcome } from "./types.js";

/** OpenAI moderation categories → harm identifiers. Unknown (future) categories still yield spam. */
export const OPENAI_CATEGORY_HARMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  sexual: [HARM_ADULT],
  "sexual/minors": [HARM_CHILD_SAFETY_CSAM],
  harassment: [HARM_HARASSMENT],
  "harassment/threatening": [HARM_HARASSMENT, HARM_VIOLENCE_THREATS],
  hate: [HARM_HARASSMENT_HATE],
  "hate/threatening": [HARM_HARASSMENT_HATE, HARM_VIOLENCE_THREATS],
  illicit: [HARM_TOS_PROHIBITED],
  "illicit/violent": [HARM_TOS_PROHIBITED, HARM_VIOLENCE],
  "self-harm": [HARM_DANGER_SELF_HARM],
  "self-harm/intent": [HARM_DANGER_SELF_HARM],
  "self-harm/instructions": [HARM_DANGER_SELF_HARM],
  violence: [HARM_VIOLENCE],
  "violence/graphic": [HARM_VIOLENCE_GRAPHIC],
});

/** Spam plus the harms of each flagged category. */
export function harmsForCategories(categories: readonly string[]): string[] {
  return [HARM_SPAM, ...categories.flatMap((category) => OPENAI_CATEGORY_HARMS[category] ?? [])];
}

/**
 * The texts sent to the model, as upstream's renderer: text and notice messages as `"<sender> says: <body>"` plus the
 * formatted body when non-empty, emotes as `"<sender> says: /me <body>"`, reactions as `"<sender> reacted with
 * <key>"`; everything else renders nothing (and is not sent).
 */
export function renderEventTexts(event: FilterEvent): string[] {
  if (event.type === "m.room.message") {
    const msgtype = contentString(event, "msgtype");
    const says = msgtype === "m.text" || msgtype === "m.notice" ? "says: " : msgtype === "m.emote" ? "says: /me " : undefined;
    if (says === undefined) return [];
    const texts = [`${event.sender} ${says}${contentString(event, "body")}`];
    const formatted = contentString(event, "formatted_body");
    if (formatted !== "") texts.push(`${event.sender} ${says}${formatted}`);
    return texts;
  }
  if (event.type === "m.reaction") {
    const relates = event.content["m.relates_to"];
    const key = isJsonObject(relates) ? relates["key"] : undefined;
    return typeof key === "string" && key !== "" ? [`${event.sender} reacted with ${key}`] : [];
  }
  return [];
}

export const openaiFilter: FilterDefinition = {
  name: "openai_filter",
  group: "main",
  io: true,
  enabled: (_config, instance) => instance.openaiFilterApiKey !== "" && instance.openaiFilterAllowedRoomIds.length > 0,
  async check({ event, config, instance }, services): Promise<FilterOutcome> {
    if (!instance.openaiFilterAllowedRoomIds.includes(event.roomId)) return neutral();
    const onError = (): FilterOutcome => (config.openai_filter_fail_secure ? prohibited(HARM_OTHER) : neutral());
    for (const text of renderEventTexts(event)) {
      if (services.openai === undefined) return onError();
      const moderation = await services.openai.moderate(text, services.signal);
      if (!moderation.ok) return onError();
      if (moderation.value.flagged) return prohibited(...harmsForCategories(moderation.value.categories));
    }
    return neutral();
  },
};
