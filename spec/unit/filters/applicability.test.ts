import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FILTERS } from "../../../src/filters/registry.js";
import { neutral } from "../../../src/filters/outcome.js";
import type { FilterInput } from "../../../src/filters/types.js";
import { outcomeWithoutRunning } from "../../../src/pipeline/applicability.js";
import { config, event, input, INSTANCE } from "./helpers.js";

/** Events of every shape the predicates tell apart, including malformed content. */
const EVENTS = [
  event(),
  event({ content: { msgtype: "m.text", body: "hi", format: "org.matrix.custom.html", formatted_body: "<b>hi</b>" } }),
  event({ content: { msgtype: "m.text", body: "hi", formatted_body: '<IMG src="mxc://a/b">' } }),
  event({ content: { msgtype: "m.text", body: "hi", formatted_body: '<img data-mx-emoticon height="16" src="x">' } }),
  event({ content: { msgtype: "m.text", body: "hi", formatted_body: 7 } }),
  event({ content: { msgtype: "m.image", body: "cat.png", url: "mxc://a/b" } }),
  event({ content: { msgtype: "m.video", body: "v" } }),
  event({ content: { msgtype: 5, body: "x" } }),
  event({ content: { body: "a ".repeat(200) + "b".repeat(5000) } }),
  event({ content: "not an object" }),
  event({ type: "m.sticker", content: { body: "s", url: "mxc://a/b" } }),
  event({ type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", key: "👍" } } }),
  event({ type: "m.room.member", state_key: "@policyserv:policy.example", sender: "@mallory:evil.example", content: { membership: "ban" } }),
  event({ type: "m.room.member", state_key: "@bob:example.org", content: { membership: "join" } }),
  event({ type: "m.room.power_levels", state_key: "", content: { users: {} } }),
  event({ type: "m.room.redaction", redacts: "$x", content: {} }),
  event({ type: "org.example.custom", content: { body: "<img src=x>" } }),
];

const CONFIGS = [
  config(),
  config({ media_filter_media_types: ["m.room.message"], untrusted_media_filter_media_types: ["m.sticker"] }),
  config({ length_filter_max_length: 10, density_filter_min_trigger_length: 1, trim_length_filter_max_difference: 0 }),
];

function inputs(): FilterInput[] {
  const out: FilterInput[] = [];
  for (const ev of EVENTS) {
    for (const cfg of CONFIGS) {
      for (const senderHellbanned of [false, true]) {
        out.push(
          input(ev, {
            config: cfg,
            instance: INSTANCE,
            senderHellbanned,
            banRules: [{ kind: "user", entity: "@alice:*" }],
          }),
        );
      }
    }
  }
  return out;
}

describe("filter applicability (src/pipeline/applicability.ts)", () => {
  for (const filter of FILTERS.filter((f) => f.applies !== undefined)) {
    it(`${filter.name}: whenever it does not apply, its check answers a plain Neutral`, async () => {
      let skipped = 0;
      for (const candidate of inputs()) {
        if (outcomeWithoutRunning(filter, candidate) === undefined) continue;
        skipped++;
        assert.deepEqual(await filter.check(candidate, {}), neutral(), `${filter.name} on ${candidate.event.type}`);
      }
      assert.ok(skipped > 0, "the corpus exercises the predicate");
    });
  }

  it("runs every filter without a predicate, and a filter whose predicate throws", () => {
    const [any] = inputs();
    const plain = FILTERS.find((f) => f.applies === undefined);
    assert.ok(plain && any);
    assert.equal(outcomeWithoutRunning(plain, any), undefined);
    const broken = { ...plain, applies: () => { throw new Error("bug"); } };
    assert.equal(outcomeWithoutRunning(broken, any), undefined);
  });
});
