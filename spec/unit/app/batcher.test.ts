import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBatcher } from "../../../src/app/batcher.js";

describe("createBatcher", () => {
  it("should answer each caller with its own output, in one run for calls made together", async () => {
    const runs: number[][] = [];
    const double = createBatcher<number, number>(
      async (inputs) => {
        runs.push([...inputs]);
        return inputs.map((n) => n * 2);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    assert.deepEqual(await Promise.all([1, 2, 3].map(double)), [2, 4, 6]);
    assert.deepEqual(runs, [[1, 2, 3]]);
  });

  it("should gather calls made while a batch is running into the next one", async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const echo = createBatcher<number, number>(
      async (inputs) => {
        runs.push([...inputs]);
        if (runs.length === 1) await gate;
        return inputs;
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const first = echo(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [echo(2), echo(3), echo(4)];
    release();
    assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
    assert.deepEqual(runs, [[1], [2, 3, 4]]);
  });

  it("should split at maxBatch", async () => {
    const sizes: number[] = [];
    const id = createBatcher<number, number>(
      async (inputs) => {
        sizes.push(inputs.length);
        return inputs;
      },
      { maxBatch: 2, maxInFlight: 4 },
    );
    await Promise.all([1, 2, 3, 4, 5].map(id));
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  it("should reject every caller of a batch whose runner throws", async () => {
    const failing = createBatcher<number, number>(
      async () => {
        throw new Error("bug");
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([failing(1), failing(2)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
  });
});
