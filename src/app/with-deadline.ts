import { err, type Result } from "../result.js";

/**
 * Resolves with `work`'s result, or with `err(onTimeout)` when it has not settled within `ms`. The work itself is
 * not cancelled (postgres.js cannot cancel a query waiting for a connection); its late answer is ignored. Used on
 * the check path, where a lookup that could be skipped must never hold an answer past its budget (decisions §5.4).
 */
export function withDeadline<T, E>(work: Promise<Result<T, E>>, ms: number, onTimeout: E): Promise<Result<T, E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(err(onTimeout)), ms);
    timer.unref();
    work.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
