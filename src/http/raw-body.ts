import type { IncomingMessage } from "node:http";
import { MatrixError } from "./matrix-error.js";

/** Limits from decisions §4b.1. */
export const BODY_LIMITS = {
  policy: 1024 * 1024,
  transaction: 8 * 1024 * 1024,
  admin: 1024 * 1024,
} as const;

export interface RawBodyOptions {
  readonly limit: number;
  /** The whole body must arrive within this time, so a slow-drip client cannot hold a slot forever. */
  readonly timeoutMs: number;
}

/**
 * Reads the raw request body into one Buffer, enforcing a size limit (413 M_TOO_LARGE, checked against
 * Content-Length first and then against the bytes actually received) and a read deadline (408).
 * Validation needs the raw text (strict JSON scanning), so no body-parser middleware is used.
 */
export function readRawBody(req: IncomingMessage, options: RawBodyOptions): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > options.limit) {
    req.resume();
    return Promise.reject(tooLarge(options.limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > options.limit) finish(tooLarge(options.limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, Buffer.concat(chunks, size));
    const onError = (e: Error): void => finish(new MatrixError("M_UNKNOWN", `Could not read the request body: ${e.message}`, { status: 400 }));
    const onAborted = (): void => finish(new MatrixError("M_UNKNOWN", "Client closed the connection", { status: 400 }));
    const timer = setTimeout(
      () => finish(new MatrixError("M_UNKNOWN", "Request body took too long to arrive", { status: 408 })),
      options.timeoutMs,
    );
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

function tooLarge(limit: number): MatrixError {
  return new MatrixError("M_TOO_LARGE", `Request body is larger than the limit of ${limit} bytes`);
}
