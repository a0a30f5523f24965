/**
 * Crash safety: the server is killed with SIGKILL in the middle of a burst of admin writes, then started again with
 * no manual step. Every write it acknowledged must be there, whole; nothing it did not acknowledge may be half there.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { clusterUnavailable } from "../support/pg-cluster.js";
import { admin, createCommunity, createWorld, sleep, type FaultWorld } from "./harness.js";

describe("kill -9 during admin writes", { skip: clusterUnavailable() }, () => {
  let world: FaultWorld;
  before(async () => {
    world = await createWorld();
  });
  after(async () => {
    await world?.close();
  });

  it("should keep every acknowledged write and start again by itself", async () => {
    const server = await world.start();
    const communities: string[] = [];
    for (let i = 0; i < 4; i++) communities.push(await createCommunity(server, `crash ${i}`));

    const created = new Map<string, string>(); // community id → name
    const configured = new Map<string, number>(); // community id → last acknowledged max length
    const templates = new Map<string, string>(); // template name → body
    let stop = false;
    const writer = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 3 === 0) {
            const name = `burst ${n}-${i}`;
            const res = await admin(server, "POST", "/api/v1/communities/new", { name });
            if (res.status === 200) created.set(((await res.json()) as { community_id: string }).community_id, name);
          } else if (i % 3 === 1) {
            const id = communities[n % communities.length] as string;
            const value = 1000 + i;
            const res = await admin(server, "POST", `/api/v1/communities/${id}/config`, {
              length_filter_max_length: value,
              keyword_filter_keywords: [`word${value}`],
            });
            // Writers of one community are one loop, so the last acknowledged value is the stored one.
            if (res.status === 200) configured.set(id, value);
          } else {
            const name = `t${n}`;
            const body = `{{ if eq .BodyRaw "x${i}" }}spam{{ end }}`;
            const res = await fetch(`${server.url}/api/v1/keyword_templates/${name}`, {
              method: "POST",
              headers: { authorization: "Bearer faults-admin-key" },
              body,
            });
            if (res.status === 200) templates.set(name, body);
          }
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await sleep(1_500);
    await server.kill();
    stop = true;
    await Promise.all(writers);
    assert.ok(created.size > 5, `only ${created.size} communities were acknowledged before the kill`);

    // Start-up after a crash needs no manual step: same database, same key files.
    const restarted = await world.start();
    assert.equal((await fetch(`${restarted.opsUrl}/ready`)).status, 200);

    for (const [id, name] of created) {
      const res = await admin(restarted, "GET", `/api/v1/communities/${id}`);
      assert.equal(res.status, 200, `acknowledged community ${id} is missing`);
      assert.equal(((await res.json()) as { name: string }).name, name);
    }
    for (const [id, value] of configured) {
      const res = await admin(restarted, "GET", `/api/v1/communities/${id}`);
      const config = ((await res.json()) as { config: Record<string, unknown> }).config;
      // The acknowledged write or one issued after it (not acknowledged before the kill), but never half of one.
      const stored = config["length_filter_max_length"] as number;
      assert.ok(stored >= value, `community ${id} lost an acknowledged config (${stored} < ${value})`);
      assert.deepEqual(config["keyword_filter_keywords"], [`word${stored}`], "config written whole");
    }
    for (const [name, body] of templates) {
      const res = await admin(restarted, "GET", `/api/v1/keyword_templates/${name}`);
      const stored = ((await res.json()) as { body: string }).body;
      const acknowledged = Number(/x(\d+)/.exec(body)?.[1]);
      assert.ok(Number(/x(\d+)/.exec(stored)?.[1]) >= acknowledged, `template ${name} lost an acknowledged write`);
    }
    // Nothing half-written: every stored community row is complete.
    const rows = await world.sql<{ id: string; name: string | null }[]>`SELECT id, name FROM communities`;
    for (const row of rows) assert.ok(row.name !== null && row.name !== "", `community ${row.id} has no name`);
  });
});
