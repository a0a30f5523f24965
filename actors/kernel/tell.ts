import { dispatch, type Ref } from "nact";

/**
 * Typed fire-and-forget send. nact's `dispatch` to a stopped actor is silently dropped (runtime.md §1.1), which is
 * why every request also carries a reply callback guarded by a deadline: a lost message becomes a timeout value.
 */
export function tell<T>(ref: Ref<T>, msg: T): void {
  dispatch(ref, msg);
}
