import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_ALLOWED_NETWORKS,
  DEFAULT_DENIED_NETWORKS,
  createNetworkPolicy,
  defaultNetworkPolicy,
  parseCidrList,
} from "../../../src/federation/index.js";

function policy(allowed: string, denied: string) {
  const a = parseCidrList(allowed);
  const d = parseCidrList(denied);
  assert.ok(a.ok && d.ok);
  return createNetworkPolicy(a.value, d.value);
}

describe("parseCidrList", () => {
  it("parses IPv4 and IPv6 entries, trimming items and skipping empty ones", () => {
    const parsed = parseCidrList(" 10.0.0.0/8 ,, fc00::/7,");
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, [
      { family: "ipv4", address: "10.0.0.0", prefix: 8 },
      { family: "ipv6", address: "fc00::", prefix: 7 },
    ]);
  });

  it("treats an empty string as an empty list", () => {
    assert.deepEqual(parseCidrList(""), { ok: true, value: [] });
  });

  for (const [input, fragment] of [
    ["172.16.0.0./12", '"172.16.0.0./12"'],
    ["10.0.0.0/33", "prefix \"33\""],
    ["10.0.0.0", 'missing "/prefix"'],
    ["::1/129", "0 to 128"],
    ["10.0.0.0/08", "prefix \"08\""],
    ["1.2.3/8", "not an IP address"],
    ["fe80::1%eth0/64", "not an IP address"],
    ["10.0.0.0/-1", "prefix"],
  ] as const) {
    it(`rejects ${JSON.stringify(input)} naming the bad entry`, () => {
      const parsed = parseCidrList(`192.168.0.0/16,${input}`);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.ok(parsed.error.includes(input), parsed.error);
        assert.ok(parsed.error.includes(fragment), parsed.error);
      }
    });
  }

  it("parses the documented defaults", () => {
    assert.ok(parseCidrList(DEFAULT_ALLOWED_NETWORKS).ok);
    assert.ok(parseCidrList(DEFAULT_DENIED_NETWORKS).ok);
  });
});

describe("network policy", () => {
  const defaults = defaultNetworkPolicy();

  it("denies private, loopback and link-local addresses by default, including the 172.16/12 upstream typo'd away", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1", "169.254.1.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::"]) {
      assert.equal(defaults.check(address).allowed, false, address);
    }
  });

  it("allows public IPv4 and IPv6 by default (upstream refused all IPv6)", () => {
    for (const address of ["8.8.8.8", "172.32.0.1", "2001:db8::1", "2606:4700::1111"]) {
      assert.equal(defaults.check(address).allowed, true, address);
    }
  });

  it("judges IPv4-mapped IPv6 addresses as the IPv4 address they carry", () => {
    assert.equal(defaults.check("::ffff:127.0.0.1").allowed, false);
    assert.equal(defaults.check("::ffff:7f00:1").allowed, false);
    assert.equal(defaults.check("::ffff:10.0.0.1").allowed, false);
    assert.equal(defaults.check("::ffff:8.8.8.8").allowed, true);
    const onlyMapped = policy("::ffff:8.8.8.0/120", "");
    assert.equal(onlyMapped.check("8.8.8.8").allowed, true);
    assert.equal(onlyMapped.check("8.8.9.8").allowed, false);
  });

  it("lets the deny list win over the allow list and requires membership of an allowed network", () => {
    const p = policy("10.0.0.0/8", "10.1.0.0/16");
    assert.equal(p.check("10.2.0.1").allowed, true);
    const denied = p.check("10.1.0.1");
    assert.equal(denied.allowed, false);
    if (!denied.allowed) assert.match(denied.reason, /10\.1\.0\.1 is in a denied network/);
    const outside = p.check("8.8.8.8");
    assert.equal(outside.allowed, false);
    if (!outside.allowed) assert.match(outside.reason, /not in an allowed network/);
  });

  it("an empty deny list disables the deny check", () => {
    assert.equal(policy("0.0.0.0/0", "").check("127.0.0.1").allowed, true);
  });

  it("refuses things that are not IP addresses and strips zones and brackets", () => {
    assert.equal(defaults.check("example.org").allowed, false);
    assert.equal(defaults.check("[2001:db8::1]").allowed, true);
    assert.equal(defaults.check("fe80::1%eth0").allowed, false);
  });
});
