import { MatrixError, type MatrixErrcode } from "../../matrix-error.js";

/**
 * A MatrixError for an errcode the foundation's table does not list (upstream's `M_BAD_STATE`, or whatever code the
 * join flow relays). The status is always explicit, so the table's lookup is never consulted for such codes.
 */
export function matrixErrorWithCode(errcode: string, message: string, status: number, extra?: Record<string, unknown>): MatrixError {
  return new MatrixError(errcode as MatrixErrcode, message, extra === undefined ? { status } : { status, extra });
}

/** Upstream's 400 `M_BAD_STATE`, used for "Community not found" on join and "Room already exists". */
export function badState(message: string): MatrixError {
  return matrixErrorWithCode("M_BAD_STATE", message, 400);
}
