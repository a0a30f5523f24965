/**
 * Frequency filter (filters.md §2.21), table-driven: the limit boundary (strictly greater), the 60-second window,
 * listed and unlisted types, per-community and per-sender counting, the effect it asks for, and the dry run (no
 * rate service) counting nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FREQUENCY_FILTER_NAME, frequencyFilter, overRate } from "../../../src/filters/frequency-filter.js";
import type { FilterEffect, FilterInput, FilterOutcome, FilterServices, RateReader } from "../../../src/filters/types.js";
import { SlidingWindows } from "../../../src/rate/sliding-windows.js";
import { config, event, input, INSTANCE, summary } from "./helpers.js";

const T0 = 1_700_000_000_000;

/** A runner in miniature: reads through a RateReader and applies the filter's rate effects, as the actors do. */
class Runner {
  readonly windows = new SlidingWindows();
  readonly rates: RateReader = { count: (c, s, k, now) => this.windows.count(c, k, s, now) };
  readonly applied: FilterEffect[] = [];

  run(inp: FilterInput): FilterOutcome {
    const outcome = frequencyFilter.check(inp, { rates: this.rates });
    if (outcome instanceof Promise) throw new Error("the frequency filter must answer synchronously");
    if (outcome.ok) {
      for (const effect of outcome.value.effects ?? []) {
        this.applied.push(effect);
        if (effect.type === "rate") this.windows.add(inp.communityId ?? "", effect.kind, effect.sender, effect.at, effect.amount);
      }
    }
    return outcome;
  }
}

const limited = (rate: number) => config({ frequency_filter_rate_limit: rate });
const msg = (sender = "@alice:example.org", type = "m.room.message") =>
  event({ sender, type, content: { msgtype: "m.text", body: "hi" } });

describe("frequency filter", () => {
  it("is enabled only with a positive rate and at least one event type", () => {
    assert.equal(frequencyFilter.enabled(config(), INSTANCE), false, "default rate 0 is off");
    assert.equal(frequencyFilter.enabled(limited(0.1), INSTANCE), true);
    assert.equal(frequencyFilter.enabled(limited(-1), INSTANCE), false);
    assert.equal(frequencyFilter.enabled(config({ frequency_filter_rate_limit: 1, frequency_filter_event_types: [] }), INSTANCE), false);
    assert.equal(frequencyFilter.enabled(config({ frequency_filter_rate_limit: 1, frequency_filter_event_types: [" ", ""] }), INSTANCE), false, "blank items are dropped (decisions §3.1)");
    assert.equal(frequencyFilter.name, FREQUENCY_FILTER_NAME);
    assert.equal(frequencyFilter.group, "main");
  });

  const boundaries: [limit: number, allowedPerMinute: number][] = [
    [0.05, 3], // 3/60 = 0.05 is not > 0.05; the 4th event fires
    [0.1, 6],
    [1, 60],
    [1 / 60, 1],
    [0.01, 0], // even the first event is over: 1/60 > 0.01
  ];
  for (const [limit, allowed] of boundaries) {
    it(`limit ${limit}/s lets ${allowed} events through in a minute, then fires`, () => {
      const runner = new Runner();
      const verdicts: string[] = [];
      for (let i = 0; i <= allowed; i++) {
        verdicts.push(summary(runner.run(input(msg(), { config: limited(limit), communityId: "c1", now: T0 + i }))));
      }
      assert.deepEqual(verdicts.slice(0, allowed), new Array(allowed).fill("Neutral"));
      assert.equal(verdicts[allowed], "Prohibited org.matrix.msc4456.spam.flooding");
    });
  }

  it("overRate is strictly greater than the limit", () => {
    assert.equal(overRate(3, 0.05), false);
    assert.equal(overRate(4, 0.05), true);
    assert.equal(overRate(60, 1), false);
    assert.equal(overRate(61, 1), true);
  });

  it("records the event even when it fires, so a flooder stays over the limit", () => {
    const runner = new Runner();
    for (let i = 0; i < 5; i++) runner.run(input(msg(), { config: limited(0.05), communityId: "c1", now: T0 + i }));
    assert.equal(runner.applied.length, 5);
    assert.deepEqual(runner.applied[4], { type: "rate", kind: "events", sender: "@alice:example.org", amount: 1, at: T0 + 4 });
    assert.equal(runner.windows.count("c1", "events", "@alice:example.org", T0 + 10), 5);
  });

  it("forgets events older than 60 s (an event exactly 60 s old still counts)", () => {
    const runner = new Runner();
    const cfg = limited(0.05);
    for (let i = 0; i < 3; i++) runner.run(input(msg(), { config: cfg, communityId: "c1", now: T0 }));
    assert.equal(summary(runner.run(input(msg(), { config: cfg, communityId: "c1", now: T0 + 60_000 }))), "Prohibited org.matrix.msc4456.spam.flooding");
    const fresh = new Runner();
    for (let i = 0; i < 3; i++) fresh.run(input(msg(), { config: cfg, communityId: "c1", now: T0 }));
    assert.equal(summary(fresh.run(input(msg(), { config: cfg, communityId: "c1", now: T0 + 60_001 }))), "Neutral");
  });

  it("counts future timestamps (a process whose clock runs ahead still limits)", () => {
    const runner = new Runner();
    for (let i = 0; i < 3; i++) runner.windows.add("c1", "events", "@alice:example.org", T0 + 5_000, 1);
    assert.equal(summary(runner.run(input(msg(), { config: limited(0.05), communityId: "c1", now: T0 }))), "Prohibited org.matrix.msc4456.spam.flooding");
  });

  it("neither judges nor counts event types that are not listed", () => {
    const runner = new Runner();
    const cfg = config({ frequency_filter_rate_limit: 0.01, frequency_filter_event_types: ["m.reaction"] });
    const outcome = runner.run(input(msg(), { config: cfg, communityId: "c1" }));
    assert.equal(summary(outcome), "Neutral");
    assert.equal(runner.applied.length, 0);
    assert.equal(summary(runner.run(input(msg("@alice:example.org", "m.reaction"), { config: cfg, communityId: "c1" }))), "Prohibited org.matrix.msc4456.spam.flooding");
  });

  it("the default types are m.room.message, m.sticker and m.reaction; state events pass", () => {
    const cfg = limited(0.01);
    for (const type of ["m.room.message", "m.sticker", "m.reaction"]) {
      assert.equal(summary(new Runner().run(input(msg("@a:example.org", type), { config: cfg, communityId: "c1" }))), "Prohibited org.matrix.msc4456.spam.flooding", type);
    }
    const topic = event({ type: "m.room.topic", state_key: "", content: { topic: "x" } });
    assert.equal(summary(new Runner().run(input(topic, { config: cfg, communityId: "c1" }))), "Neutral");
  });

  it("counts per sender and per community, across rooms", () => {
    const runner = new Runner();
    const cfg = limited(0.05);
    for (let i = 0; i < 3; i++) {
      runner.run(input(event({ room_id: `!room${i}:example.org` }), { config: cfg, communityId: "c1" }));
    }
    assert.equal(summary(runner.run(input(msg("@bob:example.org"), { config: cfg, communityId: "c1" }))), "Neutral", "another sender");
    assert.equal(summary(runner.run(input(msg(), { config: cfg, communityId: "c2" }))), "Neutral", "another community");
    assert.equal(summary(runner.run(input(event({ room_id: "!room9:example.org" }), { config: cfg, communityId: "c1" }))), "Prohibited org.matrix.msc4456.spam.flooding", "same sender, same community, another room");
  });

  it("counts senders exactly (Unicode and case are distinct user IDs)", () => {
    const runner = new Runner();
    const cfg = limited(1 / 60);
    runner.run(input(msg("@ålice:example.org"), { config: cfg, communityId: "c1" }));
    assert.equal(summary(runner.run(input(msg("@alice:example.org"), { config: cfg, communityId: "c1" }))), "Neutral");
    assert.equal(summary(runner.run(input(msg("@Ålice:example.org"), { config: cfg, communityId: "c1" }))), "Neutral");
    assert.equal(summary(runner.run(input(msg("@ålice:example.org"), { config: cfg, communityId: "c1" }))), "Prohibited org.matrix.msc4456.spam.flooding");
  });

  it("dry run: without a rate service it judges the event alone and only lists the effect", () => {
    const services: FilterServices = {};
    const cfg = limited(0.05);
    for (let i = 0; i < 10; i++) {
      const outcome = frequencyFilter.check(input(msg(), { config: cfg }), services) as FilterOutcome;
      assert.equal(summary(outcome), "Neutral");
      assert.ok(outcome.ok);
      assert.equal(outcome.value.effects?.[0]?.type, "rate");
    }
    assert.equal(summary(frequencyFilter.check(input(msg(), { config: limited(0.001) }), services)), "Prohibited org.matrix.msc4456.spam.flooding");
  });

  it("a live runner that gives counters but no community ID gets a failure naming the omission", () => {
    const outcome = frequencyFilter.check(input(msg(), { config: limited(1) }), { rates: { count: () => 0 } }) as FilterOutcome;
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.error.filter, "frequency_filter");
      assert.match(outcome.error.message, /communityId/);
    }
  });
});
