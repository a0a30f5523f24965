/** Hostile templates stop with an execution error instead of hanging or exhausting memory. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileTemplate, DEFAULT_LIMITS } from "../../../src/filters/template/index.js";
import { compiled } from "./helpers.js";

function failure(text: string, data: unknown = {}, limits = {}): string {
  const c = compileTemplate("h", text, limits);
  if (!c.ok) assert.fail(JSON.stringify(c.error));
  const r = c.value.render(data);
  if (r.ok) assert.fail(`expected ${JSON.stringify(text)} to be stopped`);
  return r.error;
}

describe("execution bounds", () => {
  it("has documented defaults", () => {
    assert.deepEqual(DEFAULT_LIMITS, { maxSteps: 2_000_000, maxOutput: 1 << 20, maxDepth: 100 });
  });

  it("stops a huge range by step count", () => {
    assert.match(failure("{{ range 1000000000 }}{{ end }}"), /execution exceeded 2000000 steps/);
    assert.match(failure("{{ range 100 }}{{ range 100 }}{{ range 100 }}{{ end }}{{ end }}{{ end }}", {}, { maxSteps: 50_000 }), /exceeded 50000 steps/);
  });

  it("stops an output bomb by output size", () => {
    assert.match(failure('{{ range 100000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}'), /output exceeded 1048576 characters/);
    assert.match(failure("{{ range 1000 }}{{ printf \"%1000000d\" 1 }}{{ end }}"), /output exceeded/);
  });

  it("stops strings that grow without being written", () => {
    const doubling = '{{ $s := "xxxxxxxxxxxxxxxx" }}{{ range 40 }}{{ $s = printf "%s%s" $s $s }}{{ end }}';
    assert.match(failure(doubling), /result of printf is longer than 1048576 characters/);
  });

  it("caps fmt widths like Go", () => {
    const r = compiled('{{ printf "%2000000d" 1 }}').render({});
    assert.ok(r.ok);
    assert.equal(r.value, "%!(BADWIDTH)1");
  });

  it("stops unbounded template recursion", () => {
    assert.match(failure('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}'), /exceeded maximum template depth \(100\)/);
    assert.match(failure('{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}', {}, { maxDepth: 5 }), /depth \(5\)/);
  });

  it("bounds mutual recursion that fans out", () => {
    const fan = '{{ define "f" }}{{ template "f" . }}{{ template "f" . }}{{ end }}{{ template "f" . }}';
    assert.match(failure(fan, {}, { maxDepth: 60 }), /exceeded/);
  });

  it("handles large legal templates", () => {
    const wide = "{{ if 1 }}a{{ end }}".repeat(5_000);
    const c = compileTemplate("w", wide);
    assert.ok(c.ok);
    const r = c.value.render({});
    assert.ok(r.ok);
    assert.equal(r.value.length, 5_000);
  });
});
