/** Shared helpers for the template tests. */
import assert from "node:assert/strict";
import { compileTemplate, type CompiledTemplate } from "../../../src/filters/template/index.js";

/** Converts JSON-shaped data to what the oracle's Go side sees: objects become maps (missing key = no value). */
export function asGoMaps(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asGoMaps);
  if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, asGoMaps(x)]));
  return v;
}

export function compiled(text: string, name = "t"): CompiledTemplate {
  const c = compileTemplate(name, text);
  if (!c.ok) assert.fail(`unexpected parse error in ${JSON.stringify(text)}: ${JSON.stringify(c.error)}`);
  return c.value;
}

/** Renders and expects success. */
export function render(text: string, data: unknown = {}): string {
  const r = compiled(text).render(data);
  if (!r.ok) assert.fail(`unexpected execution error in ${JSON.stringify(text)}: ${r.error}`);
  return r.value;
}

/** Renders and expects an execution error; returns its message. */
export function renderError(text: string, data: unknown = {}): string {
  const r = compiled(text).render(data);
  if (r.ok) assert.fail(`expected an execution error from ${JSON.stringify(text)}, got ${JSON.stringify(r.value)}`);
  return r.error;
}
