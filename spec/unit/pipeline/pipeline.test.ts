import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FilterDefinition, FilterGroupName, FilterOutcome } from "../../../src/filters/types.js";
import { contentInfo } from "../../../src/harms/content-info.js";
import { applyGroupResults, finishPipeline, groupShouldRun, startPipeline } from "../../../src/pipeline/aggregate.js";
import { evaluateEvent, evaluateText } from "../../../src/pipeline/evaluate.js";
import { buildFilterPlan } from "../../../src/pipeline/plan.js";
import { precheckSender } from "../../../src/pipeline/precheck.js";
import { err, ok } from "../../../src/result.js";
import { hellbanPostfilter } from "../../../src/filters/hellban-postfilter.js";
import { hellbanPrefilter } from "../../../src/filters/hellban-prefilter.js";
import { config, event, input, INSTANCE } from "../filters/helpers.js";

/** A filter that always answers `outcome` (or throws it when it is an Error) and records that it ran. */
function fixed(
  name: string,
  group: FilterGroupName,
  outcome: FilterOutcome | Error | (() => Promise<FilterOutcome>),
  ran: string[] = [],
): FilterDefinition {
  return {
    name,
    group,
    io: false,
    enabled: () => true,
    check: () => {
      ran.push(name);
      if (outcome instanceof Error) throw outcome;
      if (typeof outcome === "function") return outcome();
      return outcome;
    },
    checkText: () => {
      ran.push(`text:${name}`);
      if (outcome instanceof Error) throw outcome;
      if (typeof outcome === "function") return err({ filter: name, message: "async in text mode" });
      return outcome;
    },
  };
}

const NEUTRAL_OUT: FilterOutcome = ok({ info: contentInfo("Neutral") });
const ALLOWED_OUT: FilterOutcome = ok({ info: contentInfo("Allowed") });
const spam = (...harms: string[]): FilterOutcome => ok({ info: contentInfo("Prohibited", harms.length ? harms : ["org.matrix.msc4456.spam"]) });

async function run(filters: FilterDefinition[], overrides: Parameters<typeof input>[1] = {}, threshold = 0.8) {
  const cfg = overrides.config ?? config();
  const plan = buildFilterPlan(filters, cfg, INSTANCE);
  return evaluateEvent(plan, input(event(), { ...overrides, config: cfg }), {}, { spamThreshold: threshold });
}

describe("buildFilterPlan", () => {
  it("orders the four groups with their gates and keeps only enabled filters", () => {
    const disabled: FilterDefinition = { ...fixed("off", "main", NEUTRAL_OUT), enabled: () => false };
    const plan = buildFilterPlan(
      [fixed("post", "postfilter", NEUTRAL_OUT), fixed("main1", "main", NEUTRAL_OUT), disabled, fixed("pre", "prefilter", NEUTRAL_OUT), fixed("hb", "hellban_prefilter", NEUTRAL_OUT)],
      config(),
      INSTANCE,
    );
    assert.deepEqual(plan.groups.map((g) => [g.name, g.runsWhen, g.filters.map((f) => f.name)]), [
      ["prefilter", ["Neutral", "Allowed", "Prohibited"], ["pre"]],
      ["hellban_prefilter", ["Neutral"], ["hb"]],
      ["main", ["Neutral"], ["main1"]],
      ["postfilter", ["Prohibited"], ["post"]],
    ]);
  });
  it("leaves out groups with no enabled filter", () => {
    const plan = buildFilterPlan([fixed("main1", "main", NEUTRAL_OUT)], config(), INSTANCE);
    assert.deepEqual(plan.groups.map((g) => g.name), ["main"]);
  });
  it("passes config and instance to enabled()", () => {
    const cfg = config({ hellban_postfilter_minutes: 0 });
    assert.deepEqual(buildFilterPlan([hellbanPrefilter, hellbanPostfilter], cfg, INSTANCE).groups, []);
  });
});

describe("aggregate step functions", () => {
  const group = { name: "main" as const, runsWhen: ["Neutral" as const], filters: [] };
  it("gate: a group runs only on the listed classes", () => {
    assert.equal(groupShouldRun(group, contentInfo("Neutral")), true);
    assert.equal(groupShouldRun(group, contentInfo("Allowed")), false);
  });
  it("merges max class and union of harms, traces each filter, keeps the first failure", () => {
    const state = applyGroupResults(startPipeline(), group, [
      { filter: "a", outcome: spam("x.b", "x.a") },
      { filter: "b", outcome: ALLOWED_OUT },
      { filter: "c", outcome: spam("x.a", "x.c") },
      { filter: "d", outcome: err({ filter: "d", message: "boom" }) },
      { filter: "e", outcome: err({ filter: "e", message: "second" }) },
    ]);
    assert.deepEqual(state.info, { class: "Prohibited", harms: ["x.a", "x.b", "x.c"] });
    assert.deepEqual(state.failure, { filter: "d", message: "boom" });
    assert.deepEqual(state.trace.map((t) => [t.filter, t.class, t.error]), [
      ["a", "Prohibited", undefined],
      ["b", "Allowed", undefined],
      ["c", "Prohibited", undefined],
      ["d", "Neutral", "boom"],
      ["e", "Neutral", "second"],
    ]);
  });
  it("scores and thresholds (decisions §2.2)", () => {
    const at = (cls: "Neutral" | "Allowed" | "Prohibited", threshold: number) =>
      finishPipeline({ ...startPipeline(), info: contentInfo(cls) }, threshold);
    assert.deepEqual([at("Allowed", 0.8).score, at("Neutral", 0.8).score, at("Prohibited", 0.8).score], [0, 0.5, 1]);
    // 0.8 (default) ≡ Prohibited.
    assert.deepEqual([at("Allowed", 0.8).spam, at("Neutral", 0.8).spam, at("Prohibited", 0.8).spam], [false, false, true]);
    // 0.5: every non-allowed event is spam.
    assert.deepEqual([at("Allowed", 0.5).spam, at("Neutral", 0.5).spam, at("Prohibited", 0.5).spam], [false, true, true]);
    // 0: everything is spam.
    assert.deepEqual([at("Allowed", 0).spam, at("Neutral", 0).spam], [true, true]);
    // Above 1: nothing is spam.
    assert.equal(at("Prohibited", 1.01).spam, false);
    // Exactly 1: Prohibited still counts (>=).
    assert.equal(at("Prohibited", 1).spam, true);
  });
  it("a failed state drops its effects", () => {
    const verdict = finishPipeline(
      { ...startPipeline(), effects: [{ type: "hellban", sender: "@a:b", minutes: 1 }], failure: { filter: "x", message: "m" } },
      0.8,
    );
    assert.deepEqual(verdict.effects, []);
    assert.deepEqual(verdict.failure, { filter: "x", message: "m" });
  });
});

describe("evaluateEvent", () => {
  it("a Neutral event runs every group except the postfilter", async () => {
    const ran: string[] = [];
    const verdict = await run([fixed("pre", "prefilter", NEUTRAL_OUT, ran), fixed("hb", "hellban_prefilter", NEUTRAL_OUT, ran), fixed("m", "main", NEUTRAL_OUT, ran), fixed("post", "postfilter", spam(), ran)]);
    assert.deepEqual(ran, ["pre", "hb", "m"]);
    assert.equal(verdict.spam, false);
    assert.equal(verdict.info.class, "Neutral");
    assert.equal(verdict.score, 0.5);
  });
  it("Allowed short-circuits: hellban, main and postfilter groups are skipped", async () => {
    const ran: string[] = [];
    const verdict = await run([fixed("pre", "prefilter", ALLOWED_OUT, ran), fixed("hb", "hellban_prefilter", spam(), ran), fixed("m", "main", spam(), ran), fixed("post", "postfilter", spam(), ran)]);
    assert.deepEqual(ran, ["pre"]);
    assert.equal(verdict.info.class, "Allowed");
    assert.equal(verdict.score, 0);
  });
  it("Prohibited beats Allowed inside the prefilter group, and the postfilter then runs", async () => {
    const ran: string[] = [];
    const verdict = await run([fixed("allow", "prefilter", ALLOWED_OUT, ran), fixed("deny", "prefilter", spam("org.matrix.msc4456.other"), ran), fixed("m", "main", NEUTRAL_OUT, ran), hellbanPostfilter]);
    assert.deepEqual(ran, ["allow", "deny"]);
    assert.equal(verdict.info.class, "Prohibited");
    assert.equal(verdict.effects.length, 1);
  });
  it("a hellbanned sender skips the main group; the postfilter re-emits the hellban", async () => {
    const ran: string[] = [];
    const verdict = await run([hellbanPrefilter, fixed("m", "main", NEUTRAL_OUT, ran), hellbanPostfilter], { senderHellbanned: true });
    assert.deepEqual(ran, []);
    assert.deepEqual(verdict.info.harms, ["org.matrix.msc4456.spam.flooding"]);
    assert.deepEqual(verdict.trace.map((t) => t.filter), ["hellban_prefilter", "hellban_postfilter"]);
    assert.deepEqual(verdict.effects, [{ type: "hellban", sender: "@alice:example.org", minutes: 60 }]);
  });
  it("the postfilter effect appears only on Prohibited events", async () => {
    const flagged = await run([fixed("m", "main", spam(), []), hellbanPostfilter]);
    assert.deepEqual(flagged.effects, [{ type: "hellban", sender: "@alice:example.org", minutes: 60 }]);
    assert.deepEqual(flagged.info.harms, ["org.matrix.msc4456.spam", "org.matrix.msc4456.spam.flooding"]);
    const clean = await run([fixed("m", "main", NEUTRAL_OUT, []), hellbanPostfilter]);
    assert.deepEqual(clean.effects, []);
  });
  it("threshold 0.5 makes a Neutral event spam, but the postfilter still only runs on Prohibited", async () => {
    const verdict = await run([fixed("m", "main", NEUTRAL_OUT, []), hellbanPostfilter], {}, 0.5);
    assert.equal(verdict.spam, true);
    assert.deepEqual(verdict.effects, []);
  });
  it("filters in one group run concurrently", async () => {
    const events: string[] = [];
    const slow = (name: string, ms: number) => async (): Promise<FilterOutcome> => {
      events.push(`start:${name}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end:${name}`);
      return NEUTRAL_OUT;
    };
    await run([fixed("a", "main", slow("a", 20)), fixed("b", "main", slow("b", 5))]);
    assert.deepEqual(events, ["start:a", "start:b", "end:b", "end:a"]);
  });
  it("a throwing filter becomes a failure value; later groups do not run", async () => {
    const ran: string[] = [];
    const verdict = await run([fixed("pre", "prefilter", new Error("kaput"), ran), fixed("pre2", "prefilter", NEUTRAL_OUT, ran), fixed("m", "main", spam(), ran), hellbanPostfilter]);
    assert.deepEqual(ran, ["pre", "pre2"]);
    assert.deepEqual(verdict.failure, { filter: "pre", message: "filter threw: kaput" });
    assert.deepEqual(verdict.effects, []);
    assert.equal(verdict.trace.find((t) => t.filter === "pre")?.error, "filter threw: kaput");
  });
  it("a rejected promise and a returned failure are handled the same way", async () => {
    const rejected = await run([fixed("m", "main", () => Promise.reject(new Error("timeout")))]);
    assert.deepEqual(rejected.failure, { filter: "m", message: "filter threw: timeout" });
    const returned = await run([fixed("m", "main", err({ filter: "m", message: "bad data" }))]);
    assert.deepEqual(returned.failure, { filter: "m", message: "bad data" });
  });
  it("a sender that is not a user ID is Prohibited [spam, spec_non_compliance] before any filter", async () => {
    const ran: string[] = [];
    const plan = buildFilterPlan([fixed("pre", "prefilter", ALLOWED_OUT, ran), hellbanPostfilter], config(), INSTANCE);
    for (const sender of ["", "alice", "@alice", "@:example.org", "@al ice:example.org", "!room:example.org", "@alice:bad_server!"]) {
      const verdict = await evaluateEvent(plan, input(event({ sender })), {}, { spamThreshold: 0.8 });
      assert.deepEqual(verdict.info.harms, ["org.matrix.msc4456.spam", "org.matrix.policyserv.spec_non_compliance"], sender);
      assert.equal(verdict.spam, true);
      assert.deepEqual(verdict.effects, [], "no hellban for the precheck");
    }
    assert.deepEqual(ran, []);
    assert.equal(precheckSender("@alice:example.org"), undefined);
    assert.equal(precheckSender("@historical_(ID):example.org:8448"), undefined);
  });
  it("traces every filter that ran with its group, class and harms", async () => {
    const verdict = await run([fixed("pre", "prefilter", NEUTRAL_OUT), fixed("m1", "main", spam("x.one")), fixed("m2", "main", NEUTRAL_OUT)]);
    assert.deepEqual(verdict.trace, [
      { group: "prefilter", filter: "pre", class: "Neutral", harms: [] },
      { group: "main", filter: "m1", class: "Prohibited", harms: ["x.one"] },
      { group: "main", filter: "m2", class: "Neutral", harms: [] },
    ]);
  });
});

describe("evaluateText", () => {
  it("runs only text-capable filters, with the same gates", async () => {
    const ran: string[] = [];
    const noText: FilterDefinition = { name: "event-only", group: "main", io: false, enabled: () => true, check: () => spam() };
    const plan = buildFilterPlan([fixed("m", "main", spam("x.text"), ran), noText, hellbanPostfilter], config(), INSTANCE);
    const verdict = await evaluateText(plan, "hello", config());
    assert.deepEqual(ran, ["text:m"]);
    assert.deepEqual(verdict.info.harms, ["x.text"]);
    assert.deepEqual(verdict.effects, [], "text checks never hellban");
    assert.equal(verdict.spam, true);
  });
  it("a throwing text filter is a failure value", async () => {
    const plan = buildFilterPlan([fixed("m", "main", new Error("nope"))], config(), INSTANCE);
    const verdict = await evaluateText(plan, "x", config());
    assert.equal(verdict.failure?.filter, "m");
  });
});
