/**
 * Keyword templates: a Go text/template subset interpreter (filters.md §3). Hand-written because no JS package runs
 * Go templates with custom functions under a usable licence (runtime.md §6); the Go-compiled WASM package is only a
 * test oracle.
 *
 * Use {@link compileTemplate} once per stored template (a parse error is the upload's M_BAD_JSON, with line and
 * column), then `render(data)` per event. Data maps to Go values as described in values.ts: plain objects behave
 * as Go structs (an unknown field is an execution error, like upstream's data struct), `Map`s as `map[string]any`.
 */
import type { KeywordTemplate } from "../types.js";
import { ok, type Result } from "../../result.js";
import { BUILTIN_FUNCTIONS } from "./builtins.js";
import { DEFAULT_LIMITS, execute, type ExecLimits } from "./exec.js";
import { CUSTOM_FUNCTIONS, type TemplateFunction } from "./functions.js";
import { parseTemplate, type TemplateError } from "./parser.js";

export type { TemplateError } from "./parser.js";
export { DEFAULT_LIMITS, type ExecLimits } from "./exec.js";

/** A parsed template, ready to run many times; rendering never throws for anything the template or data does. */
export interface CompiledTemplate extends KeywordTemplate {
  readonly name: string;
  /** The names of all trees: the main body plus every `define`/`block`. */
  readonly definedTemplates: readonly string[];
  render(data: unknown): Result<string, string>;
}

const FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map([...BUILTIN_FUNCTIONS, ...CUSTOM_FUNCTIONS]);
const FUNCTION_NAMES: ReadonlySet<string> = new Set(FUNCTIONS.keys());

/** Every function name a keyword template may call (Go built-ins plus policyserv's custom functions). */
export const TEMPLATE_FUNCTION_NAMES: readonly string[] = [...FUNCTION_NAMES].sort();

/**
 * Parses `text` as the template `name`. Fails with the first error and its 1-based line and column; calling an
 * unknown function or using an undeclared variable is a parse error, as in Go. `limits` bounds each render.
 */
export function compileTemplate(
  name: string,
  text: string,
  limits: Partial<ExecLimits> = {},
): Result<CompiledTemplate, TemplateError> {
  const parsed = parseTemplate(name, text, FUNCTION_NAMES);
  if (!parsed.ok) return parsed;
  const program = { name, text, trees: parsed.value, funcs: FUNCTIONS, limits: { ...DEFAULT_LIMITS, ...limits } };
  return ok({
    name,
    definedTemplates: [...parsed.value.keys()].sort(),
    render: (data: unknown) => execute(program, data),
  });
}
