import type { FieldError } from "../../../config/layering.js";
import { MatrixError } from "../../matrix-error.js";

/**
 * One 400 for every rejected config field: `M_BAD_JSON` when any field had the wrong JSON type (upstream's code for
 * that case), else `M_INVALID_PARAM`. The message names each field; `errors` lists them for programs.
 * `prefix` qualifies field names when the config is nested (`config.` in a PATCH body).
 */
export function overrideErrors(errors: readonly FieldError[], prefix = ""): MatrixError {
  const named = errors.map((e) => ({
    field: e.field === "" ? prefix.replace(/\.$/, "") : `${prefix}${e.field}`,
    errcode: e.errcode,
    error: e.field === "" || prefix === "" ? e.message : `${prefix}${e.message}`,
  }));
  const errcode = named.some((e) => e.errcode === "M_BAD_JSON") ? "M_BAD_JSON" : "M_INVALID_PARAM";
  return new MatrixError(errcode, named.map((e) => e.error).join("; "), { extra: { errors: named } });
}
