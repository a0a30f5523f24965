import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertUniqueFilterNames, FILTERS } from "../../../src/filters/registry.js";
import { senderPrefilter } from "../../../src/filters/sender-prefilter.js";

describe("filter registry", () => {
  it("is listed in alphabetical order of name", () => {
    const names = FILTERS.map((f) => f.name);
    assert.deepEqual(names, [...names].sort());
  });
  it("holds the README filters (except OpenAI and HMA) and the newer pure ones", () => {
    const names = new Set(FILTERS.map((f) => f.name));
    for (const name of [
      "sender_prefilter", "event_type_prefilter", "hellban_prefilter", "hellban_postfilter", "keyword_filter",
      "keyword_template_filter", "mentions_filter", "many_ats_filter", "media_filter", "untrusted_media_filter",
      "policy_list_filter", "density_filter", "trim_length_filter", "length_filter", "sticky_events_filter",
      "protect_local_user_filter", "unsafe_signing_key_filter", "inline_emoji_size_filter", "link_filter",
      "user_id_length_filter", "user_id_words_filter",
    ]) {
      assert.ok(names.has(name), name);
    }
  });
  it("rejects a duplicate name at start-up", () => {
    assert.throws(() => assertUniqueFilterNames([senderPrefilter, senderPrefilter]), /duplicate filter name in registry: "sender_prefilter"/);
    assert.doesNotThrow(() => assertUniqueFilterNames(FILTERS));
  });
  it("should mark exactly the filters that call remote services as I/O", () => {
    assert.deepEqual(FILTERS.filter((f) => f.io).map((f) => f.name), ["hma_filter", "openai_filter"]);
  });
});
