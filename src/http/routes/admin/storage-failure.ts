import type { Result } from "../../../result.js";
import type { StorageError } from "../../../storage/storage-error.js";
import { MatrixError } from "../../matrix-error.js";

/**
 * Turns an expected storage failure into the HTTP answer: an outage is 503 `M_UNAVAILABLE` (decisions §5.4: what
 * cannot be answered without the database says so and can be retried), a value the database refused is 400, and
 * anything else is upstream's 500. `not_found` is mapped by callers, who know which thing was missing.
 */
export function storageFailure(error: StorageError): MatrixError {
  switch (error.kind) {
    case "unavailable":
      return new MatrixError("M_UNAVAILABLE", "The database is unavailable right now; retry shortly", { cause: error.cause });
    case "invalid":
      return new MatrixError("M_INVALID_PARAM", `The database refused the value: ${error.message}`, { cause: error.cause });
    case "not_found":
    case "conflict":
      return new MatrixError("M_UNKNOWN", "Error", { cause: error });
  }
}

/** The value of a storage Result, or the failure thrown as a MatrixError for the error middleware to render. */
export function orThrow<T>(result: Result<T, StorageError>): T {
  if (!result.ok) throw storageFailure(result.error);
  return result.value;
}
