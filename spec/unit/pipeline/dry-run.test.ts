import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCheckArgs, runCheckCommand, type CheckIo } from "../../../src/pipeline/check-command.js";
import { dryRun, dryRunEvent } from "../../../src/pipeline/dry-run.js";
import { config, INSTANCE, pdu } from "../filters/helpers.js";

describe("dryRun with the production registry", () => {
  it("flags the default keyword and reports the hellban it would apply, applying none", async () => {
    const result = await dryRun({ event: pdu({ content: { msgtype: "m.text", body: "spammy spam" } }), config: config(), instance: INSTANCE, now: 1 });
    assert.equal(result.spam, true);
    assert.equal(result.class, "Prohibited");
    assert.equal(result.score, 1);
    assert.deepEqual(result.harms, ["org.matrix.msc4456.spam", "org.matrix.msc4456.spam.flooding"]);
    assert.deepEqual(result.effects, [{ type: "hellban", sender: "@alice:example.org", minutes: 60 }]);
    const keyword = result.trace.find((t) => t.filter === "keyword_filter");
    assert.deepEqual(keyword, { group: "main", filter: "keyword_filter", class: "Prohibited", harms: ["org.matrix.msc4456.spam"] });
  });
  it("a clean message is not spam and the postfilter never runs", async () => {
    const result = await dryRun({ event: pdu(), config: config(), instance: INSTANCE, now: 1 });
    assert.equal(result.spam, false);
    assert.equal(result.class, "Neutral");
    assert.equal(result.score, 0.5);
    assert.ok(!result.trace.some((t) => t.group === "postfilter"));
    assert.deepEqual(result.effects, []);
  });
  it("an allowed event type skips the main group", async () => {
    const result = await dryRun({ event: pdu({ type: "m.room.redaction", content: { body: "spammy spam" } }), config: config(), instance: INSTANCE, now: 1 });
    assert.equal(result.class, "Allowed");
    assert.equal(result.spam, false);
    assert.deepEqual([...new Set(result.trace.map((t) => t.group))], ["prefilter"]);
  });
  it("a hellbanned sender is Prohibited by the hellban prefilter", async () => {
    const result = await dryRun({ event: pdu(), config: config(), instance: INSTANCE, senderHellbanned: true, now: 1 });
    assert.equal(result.spam, true);
    assert.ok(!result.trace.some((t) => t.group === "main"));
  });
  it("validates the event shape with clear errors", () => {
    assert.deepEqual(dryRunEvent([1]), { ok: false, error: "the event must be a JSON object" });
    assert.deepEqual(dryRunEvent({ type: "m.room.message" }), { ok: false, error: `the event's "sender" must be a string` });
    assert.deepEqual(dryRunEvent({ type: "x", sender: "@a:b", content: "nope" }), { ok: false, error: `the event's "content" must be a JSON object` });
    assert.equal(dryRunEvent(pdu()).ok, true);
  });
});

describe("policyserv-check command", () => {
  function fakeIo(files: Record<string, string>, env: Record<string, string> = {}) {
    const out: string[] = [];
    const errs: string[] = [];
    const io: CheckIo = {
      env,
      readFile: async (path) => {
        const text = files[path];
        if (text === undefined) throw new Error("ENOENT");
        return text;
      },
      stdout: (t) => out.push(t),
      stderr: (t) => errs.push(t),
      now: () => 1,
    };
    return { io, out, errs };
  }
  it("parses arguments and names the bad ones", () => {
    assert.deepEqual(parseCheckArgs(["--event", "e.json"]), { ok: true, value: { eventPath: "e.json" } });
    assert.deepEqual(parseCheckArgs([]), { ok: false, error: "--event <file> is required" });
    assert.deepEqual(parseCheckArgs(["--event"]), { ok: false, error: "--event needs a value" });
    assert.deepEqual(parseCheckArgs(["--nope"]), { ok: false, error: 'unknown argument "--nope"' });
    const community = parseCheckArgs(["--community", "abc"]);
    assert.ok(!community.ok && /not available yet/.test(community.error));
  });
  it("applies community overrides from --config and the environment's defaults", async () => {
    const event = JSON.stringify(pdu({ content: { body: "buy pills now" } }));
    const clean = fakeIo({ "e.json": event });
    assert.equal(await runCheckCommand(["--event", "e.json"], clean.io), 0);
    assert.equal(JSON.parse(clean.out.join("")).spam, false);

    const withConfig = fakeIo({ "e.json": event, "c.json": '{"keyword_filter_keywords": ["pills"], "hellban_postfilter_minutes": 0}' });
    assert.equal(await runCheckCommand(["--event", "e.json", "--config", "c.json"], withConfig.io), 1);
    const result = JSON.parse(withConfig.out.join(""));
    assert.deepEqual(result.harms, ["org.matrix.msc4456.spam"]);
    assert.deepEqual(result.effects, []);

    const fromEnv = fakeIo({ "e.json": event }, { PS_KEYWORD_FILTER_KEYWORDS: "pills" });
    assert.equal(await runCheckCommand(["--event", "e.json"], fromEnv.io), 1);
  });
  it("reports bad input with exit code 2 and a message naming the problem", async () => {
    const missing = fakeIo({});
    assert.equal(await runCheckCommand(["--event", "nope.json"], missing.io), 2);
    assert.match(missing.errs.join(""), /cannot read event file nope\.json/);
    const floats = fakeIo({ "e.json": '{"type":"m.room.message","sender":"@a:b","content":{"x":1.5}}' });
    assert.equal(await runCheckCommand(["--event", "e.json"], floats.io), 2);
    assert.match(floats.errs.join(""), /not valid Matrix JSON/);
    const badConfig = fakeIo({ "e.json": JSON.stringify(pdu()), "c.json": '{"keyword_filter_keywords": 5}' });
    assert.equal(await runCheckCommand(["--event", "e.json", "--config", "c.json"], badConfig.io), 2);
    assert.match(badConfig.errs.join(""), /keyword_filter_keywords/);
  });
  it("runs as a process on an event file (spawned through tsx)", () => {
    const dir = mkdtempSync(join(tmpdir(), "policyserv-check-"));
    const eventFile = join(dir, "event.json");
    writeFileSync(eventFile, JSON.stringify(pdu({ content: { msgtype: "m.text", body: "spammy spam" } })));
    const cli = new URL("../../../src/cli/policyserv-check.ts", import.meta.url).pathname;
    const child = spawnSync(process.execPath, ["--import", "tsx", cli, "--event", eventFile], {
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "" },
    });
    assert.equal(child.status, 1, child.stderr);
    const result = JSON.parse(child.stdout);
    assert.equal(result.spam, true);
    assert.ok(result.trace.some((t: { filter: string }) => t.filter === "keyword_filter"));
  });
});
