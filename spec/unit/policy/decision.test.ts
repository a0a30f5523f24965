import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contentInfo, NEUTRAL } from "../../../src/harms/content-info.js";
import { policyResponse, type PolicyDecision, type PolicyEndpoint } from "../../../src/policy/decision.js";
import type { Verdict } from "../../../src/pipeline/types.js";

const sigs = { "policy.test": { "ed25519:policy_server": "c2ln" } };
const clean: Verdict = { info: NEUTRAL, spam: false, score: 0.5, trace: [], effects: [] };
const spam: Verdict = {
  info: contentInfo("Prohibited", ["org.matrix.msc4456.spam"]),
  spam: true,
  score: 1,
  trace: [],
  effects: [],
};
const failed: Verdict = { ...clean, failure: { filter: "keyword", message: "boom" } };
const FORBIDDEN = { errcode: "M_FORBIDDEN", error: "This message is not allowed by the policy server" };

type Row = [string, PolicyDecision, Record<PolicyEndpoint, [number, unknown]>];

const rows: Row[] = [
  [
    "unknown room",
    { kind: "unknown_room" },
    {
      sign_stable: [404, { errcode: "M_NOT_FOUND", error: "This policy server does not protect that room" }],
      sign_unstable: [200, {}],
      check: [200, { recommendation: "ok" }],
    },
  ],
  [
    "invalid PDU",
    { kind: "invalid_pdu", message: "missing depth" },
    {
      sign_stable: [400, { errcode: "M_BAD_JSON", error: "missing depth" }],
      sign_unstable: [200, {}],
      check: [400, { errcode: "M_BAD_JSON", error: "missing depth" }],
    },
  ],
  [
    "bad signature",
    { kind: "refused", reason: "signature", message: "no signature from example.org" },
    { sign_stable: [400, FORBIDDEN], sign_unstable: [200, {}], check: [200, { recommendation: "spam" }] },
  ],
  [
    "clean verdict",
    { kind: "verdict", eventId: "$e", verdict: clean, signatures: sigs },
    { sign_stable: [200, sigs], sign_unstable: [200, sigs], check: [200, { recommendation: "ok" }] },
  ],
  [
    "spam verdict carries harms twice on the stable path",
    { kind: "verdict", eventId: "$e", verdict: spam },
    {
      sign_stable: [
        400,
        { ...FORBIDDEN, harms: ["org.matrix.msc4456.spam"], "org.matrix.msc4387.harms": ["org.matrix.msc4456.spam"] },
      ],
      sign_unstable: [200, {}],
      check: [200, { recommendation: "spam" }],
    },
  ],
  [
    "filter failure",
    { kind: "verdict", eventId: "$e", verdict: failed },
    {
      sign_stable: [400, FORBIDDEN],
      sign_unstable: [200, {}],
      check: [500, { errcode: "M_UNKNOWN", error: "Unable to complete event scan" }],
    },
  ],
];

describe("policyResponse", () => {
  for (const [name, decision, expected] of rows) {
    for (const endpoint of ["sign_stable", "sign_unstable", "check"] as const) {
      it(`should answer ${name} on ${endpoint}`, () => {
        const response = policyResponse(endpoint, decision);
        assert.deepEqual([response.status, response.body], expected[endpoint]);
      });
    }
  }

  it("should never approve a clean event it could not sign", () => {
    const response = policyResponse("sign_stable", { kind: "verdict", eventId: "$e", verdict: clean });
    assert.equal(response.status, 500);
    assert.deepEqual(policyResponse("sign_unstable", { kind: "verdict", eventId: "$e", verdict: clean }).body, {});
  });

  it("should answer overload with 429 and outage with 503 on every endpoint", () => {
    for (const endpoint of ["sign_stable", "sign_unstable", "check"] as const) {
      assert.equal(policyResponse(endpoint, { kind: "overloaded" }).status, 429);
      assert.equal(policyResponse(endpoint, { kind: "unavailable", message: "db down" }).status, 503);
    }
  });
});
