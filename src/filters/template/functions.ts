/**
 * The custom functions policyserv gives keyword templates (upstream pslib/templates.go), with Go's exact semantics.
 * Each declares its Go parameter types so the executor can reject wrong arguments the way Go's reflection would.
 */
import { goToLower, goToUpper } from "./case-mapping.js";

/** A Go parameter type as far as our functions need: argument values are checked against it before the call. */
export type ParamType = "string" | "[]string" | "value" | "any";

/** A callable template function: fixed parameters, optionally a variadic tail, and a JS body. */
export interface TemplateFunction {
  readonly params: readonly ParamType[];
  /** Type of the `...` parameter, when the function is variadic. */
  readonly variadic?: ParamType;
  /** Returns the result value, or throws a {@link FunctionError} that becomes "error calling NAME: …". */
  readonly call: (args: unknown[]) => unknown;
}

/** An error a function reports (Go's non-nil error return). */
export class FunctionError extends Error {}

// RE2 `[^\w\s]` with ASCII-only classes: everything except [0-9A-Za-z_] and [\t\n\f\r ] goes.
const PUNCTUATION = /[^0-9A-Za-z_\t\n\f\r ]/g;

/** Go's `strings.Contains` semantics also hold for JS includes: "" is contained in everything. */
export const CUSTOM_FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ["StrSlice", { params: [], variadic: "string", call: (args) => args.slice() }],
  ["ToLower", { params: ["string"], call: ([s]) => goToLower(s as string) }],
  ["ToUpper", { params: ["string"], call: ([s]) => goToUpper(s as string) }],
  ["RemovePunctuation", { params: ["string"], call: ([s]) => (s as string).replace(PUNCTUATION, "") }],
  [
    "StrSliceContains",
    { params: ["[]string", "string"], call: ([list, s]) => (list as readonly string[]).includes(s as string) },
  ],
  ["StringContains", { params: ["string", "string"], call: ([s, sub]) => (s as string).includes(sub as string) }],
]);
