import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GroupReplies } from "../../actors/check-session/group-replies.js";
import type { FilterOutcome } from "../../src/filters/types.js";
import { err, ok } from "../../src/result.js";

const neutral = (n: number): FilterOutcome => ok({ info: { class: "Neutral", harms: [`h${n}`] } }) as unknown as FilterOutcome;

describe("GroupReplies", () => {
  test("completes once, with the answers in plan order, when the last filter answers", () => {
    const completions: (readonly FilterOutcome[])[] = [];
    const replies = new GroupReplies(3, (outcomes) => completions.push([...outcomes]));
    replies.answer(2, neutral(2));
    replies.answer(0, neutral(0));
    assert.equal(completions.length, 0);
    replies.answer(1, neutral(1));
    assert.deepEqual(completions, [[neutral(0), neutral(1), neutral(2)]]);
    replies.answer(1, neutral(9));
    assert.equal(completions.length, 1);
  });

  test("keeps a slot's first answer (a crash reply after a real answer changes nothing)", () => {
    let got: readonly FilterOutcome[] = [];
    const replies = new GroupReplies(2, (outcomes) => (got = outcomes));
    replies.answer(0, neutral(0));
    replies.answer(0, err({ filter: "f", message: "late crash" }));
    replies.answer(1, neutral(1));
    assert.deepEqual(got, [neutral(0), neutral(1)]);
  });

  test("close hands over what arrived and turns later answers into no-ops", () => {
    let completed = false;
    const replies = new GroupReplies(2, () => (completed = true));
    replies.answer(1, neutral(1));
    const partial = replies.close();
    assert.equal(partial[0], undefined);
    assert.deepEqual(partial[1], neutral(1));
    replies.answer(0, neutral(0));
    assert.equal(completed, false);
  });
});
