/**
 * Matrix error values. Routes throw (or return) a MatrixError; the one error middleware turns it into the
 * `{"errcode","error",...}` body with the status from ERROR_STATUS, so no route writes an error body itself.
 */
export const ERROR_STATUS = {
  M_BAD_JSON: 400,
  M_NOT_JSON: 400,
  M_INVALID_PARAM: 400,
  M_MISSING_PARAM: 400,
  M_BAD_STATE: 400,
  M_FORBIDDEN: 403,
  M_UNAUTHORIZED: 401,
  M_MISSING_TOKEN: 401,
  M_UNKNOWN_TOKEN: 401,
  M_NOT_FOUND: 404,
  M_UNRECOGNIZED: 404,
  M_TOO_LARGE: 413,
  M_LIMIT_EXCEEDED: 429,
  M_UNKNOWN: 500,
  M_UNAVAILABLE: 503,
  "ORG.MATRIX.MSC4387_SAFETY": 400,
} as const;

export type MatrixErrcode = keyof typeof ERROR_STATUS;

export class MatrixError extends Error {
  readonly errcode: MatrixErrcode;
  readonly status: number;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(
    errcode: MatrixErrcode,
    message: string,
    options: { status?: number; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MatrixError";
    this.errcode = errcode;
    this.status = options.status ?? ERROR_STATUS[errcode];
    this.extra = options.extra ?? {};
  }

  /** The response body: extra fields first so they can never overwrite errcode or error. */
  body(): Record<string, unknown> {
    return { ...this.extra, errcode: this.errcode, error: this.message };
  }
}

/** A wrong HTTP method: 405 with M_UNRECOGNIZED, as the spec asks for unknown method/path combinations. */
export function methodNotAllowed(): MatrixError {
  return new MatrixError("M_UNRECOGNIZED", "Method not allowed", { status: 405 });
}

export function notFound(): MatrixError {
  return new MatrixError("M_UNRECOGNIZED", "Unrecognized request");
}
