import assert from "node:assert/strict";
import { it } from "node:test";
import { contentInfo } from "../../src/harms/content-info.js";
import type { Sql } from "../../src/storage/database.js";
import { migrate } from "../../src/storage/migrate.js";
import { createRepositories } from "../../src/storage/repositories.js";
import { createTestDatabase, describeWithBackends, repoMigrations, silentLogger } from "../support/database.js";

/**
 * Plays upstream's part: gomigrate's own table DDL, then each "up" file in one transaction with its row, exactly as
 * DavidHuie/gomigrate does for the Go server. The SQL is the upstream-equivalent in migrations/.
 */
async function upstreamMigrate(sql: Sql, upTo: number): Promise<void> {
  const [present] = await sql`SELECT tablename FROM pg_catalog.pg_tables WHERE tablename = 'gomigrate'`;
  if (present === undefined) {
    await sql.unsafe(`CREATE TABLE gomigrate (
                  id           SERIAL       PRIMARY KEY,
                  migration_id BIGINT       UNIQUE NOT NULL
                )`);
  }
  for (const m of repoMigrations().filter((m) => m.id <= upTo)) {
    const [done] = await sql`SELECT migration_id FROM gomigrate WHERE migration_id = ${m.id}`;
    if (done !== undefined) continue;
    await sql.begin(async (tx) => {
      await tx.unsafe(m.up);
      await tx`INSERT INTO gomigrate (migration_id) values (${m.id})`;
    });
  }
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

await describeWithBackends("adopting an upstream database", (backend) => {
  it("takes over a seed-era database (1-12) with its data, converting nothing it should not", async () => {
    const t = await createTestDatabase({ backend, migrated: false });
    try {
      // History as a long-running seed deployment lived it: CSV verdicts before 05, NULL moderators before 06.
      await upstreamMigrate(t.sql, 4);
      await t.sql`INSERT INTO events (event_id, codes_csv, reasons_csv) VALUES
                    ('$spam', 'spam', 'keyword, frequency'), ('$fine', 'ok', '')`;
      await t.sql`INSERT INTO rooms (room_id, room_version, moderator_user_id) VALUES ('!old:x', '10', NULL)`;
      await upstreamMigrate(t.sql, 12);
      await t.sql`INSERT INTO communities (id, name, config) VALUES ('2ZxKx0Rj4oZLQzVuP3pB5uFq1gT', 'Seed', '{"keyword_filter_keywords":["x"]}')`;
      await t.sql`INSERT INTO rooms (room_id, room_version, moderator_user_id, community_id) VALUES ('!new:x', '11', '@m:x', '2ZxKx0Rj4oZLQzVuP3pB5uFq1gT')`;
      await t.sql`INSERT INTO displaynames VALUES ('!new:x', '@a:x', 'Ay')`;
      await t.sql`INSERT INTO ban_rules VALUES ('!list:x', 'm.policy.rule.user', '@b*:x')`;
      await t.sql`INSERT INTO trust_data VALUES ('muninn_hall', '', '{"server_names":["a.example"]}')`;
      await t.sql`INSERT INTO keyword_templates VALUES ('tpl', '{{ .X }}')`;
      await t.sql`INSERT INTO state_learn_queue (room_id, at_event_id, via) VALUES ('!new:x', '$e', 'x')`;

      const run = must(await migrate(t.sql, repoMigrations(), silentLogger));
      assert.deepEqual(run.applied, [13, 14, 15, 16, 17, 18, 101, 102, 103, 104, 105]);

      const repos = createRepositories(t.db);
      const spam = must(await repos.verdicts.get("$spam"));
      assert.deepEqual(spam?.info, contentInfo("Prohibited", ["org.matrix.policyserv.vec.frequency", "org.matrix.policyserv.vec.keyword"]));
      assert.deepEqual(must(await repos.verdicts.get("$fine"))?.info, contentInfo("Neutral"));
      assert.deepEqual(must(await repos.rooms.get("!old:x")), {
        roomId: "!old:x", roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId: "default",
      });
      assert.equal(must(await repos.rooms.get("!new:x"))?.communityId, "2ZxKx0Rj4oZLQzVuP3pB5uFq1gT");
      assert.deepEqual(must(await repos.communities.get("2ZxKx0Rj4oZLQzVuP3pB5uFq1gT")), {
        id: "2ZxKx0Rj4oZLQzVuP3pB5uFq1gT", name: "Seed", config: { keyword_filter_keywords: ["x"] }, canSelfJoinRooms: false,
      });
      assert.deepEqual(must(await repos.roomState.getDisplaynames("!new:x")), [{ userId: "@a:x", displayname: "Ay" }]);
      assert.equal(must(await repos.roomState.getBanRules(["!list:x"])).length, 1);
      assert.deepEqual(must(await repos.trustData.get("muninn_hall", "")), { server_names: ["a.example"] });
      assert.deepEqual(must(await repos.keywordTemplates.get("tpl")), { name: "tpl", body: "{{ .X }}" });
      assert.equal(must(await repos.stateLearnQueue.popDue(Date.now() + 1))?.roomId, "!new:x");
      const ids = await t.sql`SELECT migration_id::int AS m FROM gomigrate ORDER BY id`;
      assert.deepEqual(ids.map((r) => r["m"]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 101, 102, 103, 104, 105]);
    } finally {
      await t.drop();
    }
  });

  it("takes over a newer upstream database (1-18): tokens keep working, hashed; newer rows intact", async () => {
    const t = await createTestDatabase({ backend, migrated: false });
    try {
      await upstreamMigrate(t.sql, 18);
      await t.sql`INSERT INTO communities (id, name, config, api_access_token, can_self_join_rooms)
                  VALUES ('c1', 'Newer', '{}', 'pst_UPSTREAMTOKENAAAAAAAAAAAAA', TRUE), ('c2', 'No token', '{}', NULL, FALSE)`;
      await t.sql`INSERT INTO events (event_id, is_probably_spam, confidence_vectors)
                  VALUES ('$n', FALSE, '{"Allowed":1}'), ('$p', TRUE, '{"h:org.matrix.msc4456.spam":1}')`;
      await t.sql`INSERT INTO media_classifications VALUES ('mxc://x/y', 'c1', '["Prohibited","org.matrix.msc4456.spam"]')`;
      await t.sql`INSERT INTO destinations (destination) VALUES ('hs.example')`;
      await t.sql`INSERT INTO destination_edus (destination, edu) VALUES ('hs.example', '{"edu_type":"m.direct_to_device"}')`;

      const run = must(await migrate(t.sql, repoMigrations(), silentLogger));
      assert.deepEqual(run.applied, [101, 102, 103, 104, 105]);

      const repos = createRepositories(t.db);
      const found = must(await repos.communities.findByAccessToken("pst_UPSTREAMTOKENAAAAAAAAAAAAA"));
      assert.equal(found?.id, "c1");
      assert.equal(found?.canSelfJoinRooms, true);
      const [row] = await t.sql`SELECT api_access_token FROM communities WHERE id = 'c1'`;
      assert.equal(row?.["api_access_token"], null, "plaintext cleared");
      assert.deepEqual(must(await repos.verdicts.get("$n"))?.info, contentInfo("Allowed"));
      assert.deepEqual(must(await repos.verdicts.get("$p"))?.info, contentInfo("Prohibited", ["org.matrix.msc4456.spam"]));
      const [media] = await t.sql`SELECT classifications FROM media_classifications WHERE mxc_uri = 'mxc://x/y'`;
      assert.deepEqual(media?.["classifications"], ["Prohibited", "org.matrix.msc4456.spam"]);
      const [edu] = await t.sql`SELECT count(*)::int AS n FROM destination_edus`;
      assert.equal(edu?.["n"], 1);
    } finally {
      await t.drop();
    }
  });
});
