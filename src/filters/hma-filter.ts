/**
 * HMA filter (filters.md §2.18, README "Hasher-Matcher-Actioner"): every media item the event references is matched
 * against the HMA banks; a match in one of the community's `hma_filter_enabled_banks` is Prohibited [spam, CSAM,
 * policyserv.media]. A download or scanner failure is Prohibited [other] (the newer upstream behaviour: media that
 * cannot be checked is not let through). Items run in parallel; matches are cached per item by the matcher.
 */
import { HARM_OTHER, contentInfo, mergeContentInfo, NEUTRAL, type ContentInfo } from "../harms/content-info.js";
import { HARM_CHILD_SAFETY_CSAM, HARM_POLICYSERV_MEDIA, HARM_SPAM } from "../harms/ids.js";
import { extractMediaRefs } from "../integrations/media-refs.js";
import { err, ok } from "../result.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

const MATCHED = contentInfo("Prohibited", [HARM_SPAM, HARM_CHILD_SAFETY_CSAM, HARM_POLICYSERV_MEDIA]);
const UNCHECKED = contentInfo("Prohibited", [HARM_OTHER]);

export const hmaFilter: FilterDefinition = {
  name: "hma_filter",
  group: "main",
  io: true,
  enabled: (config, instance) => instance.hmaApiUrl !== "" && cleanList(config.hma_filter_enabled_banks).length > 0,
  async check({ event, config }, services): Promise<FilterOutcome> {
    const extracted = extractMediaRefs(event.content);
    if (!extracted.ok) return err({ filter: "hma_filter", message: extracted.error });
    const { items } = extracted.value;
    if (items.length === 0) return ok({ info: NEUTRAL });
    const banks = new Set(cleanList(config.hma_filter_enabled_banks));
    const matcher = services.hma;
    const infos = await Promise.all(
      items.map(async (item): Promise<ContentInfo> => {
        if (matcher === undefined) return UNCHECKED;
        const matched = await matcher.matchBanks(item, services.signal);
        if (!matched.ok) return UNCHECKED;
        return matched.value.some((bank) => banks.has(bank)) ? MATCHED : NEUTRAL;
      }),
    );
    return ok({ info: mergeContentInfo(infos) });
  },
};
