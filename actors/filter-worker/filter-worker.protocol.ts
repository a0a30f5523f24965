import type { Ref } from "nact";
import type { FilterDefinition, FilterInput, FilterOutcome, FilterServices } from "../../src/filters/types.js";
import { tell } from "../kernel/tell.js";
import type { Reply } from "../kernel/reply.js";

/** The one command a filter worker accepts: run this filter on this input and answer through `reply`. */
export type FilterWorkerCommand = {
  readonly type: "RunFilter";
  readonly filter: FilterDefinition;
  readonly input: FilterInput;
  readonly services: FilterServices;
  readonly reply: Reply<FilterOutcome>;
};

/** Filter workers by filter name; I/O filters have several, CPU filters one. */
export interface FilterPool {
  /** The next worker for a filter (round robin), or undefined for a filter the pool was not built with. */
  workerFor(filterName: string): Ref<FilterWorkerCommand> | undefined;
}

/** Asks a worker to run a filter. */
export function runFilter(
  worker: Ref<FilterWorkerCommand>,
  filter: FilterDefinition,
  input: FilterInput,
  services: FilterServices,
  reply: Reply<FilterOutcome>,
): void {
  tell(worker, { type: "RunFilter", filter, input, services, reply });
}
