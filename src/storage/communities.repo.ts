import { createHash, randomBytes } from "node:crypto";
import KSUID from "ksuid";
import { err, ok, type Result } from "../result.js";
import type { ReadRunner, Sql } from "./database.js";
import { attempt, storageError, type StorageError } from "./storage-error.js";

/** A community row. `config` holds only the stored overrides (never merged with instance values). */
export interface CommunityRecord {
  readonly id: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly canSelfJoinRooms: boolean;
}

/** Fields a PATCH may change; absent fields keep their value. */
export interface CommunityPatch {
  readonly name?: string;
  readonly canSelfJoinRooms?: boolean;
  /**
   * Merged key by key into the stored config (upstream decodes the PATCH over the loaded object): keys given
   * replace theirs, lists included; a key set to null is removed (inherits the instance value again).
   */
  readonly config?: Readonly<Record<string, unknown>>;
}

export interface RotatedToken {
  /** The new bearer token, shown once; only its hash is stored. */
  readonly accessToken: string;
  /** Whether a previous token existed (and is now revoked). Its value cannot be returned: it was never stored. */
  readonly replacedPrevious: boolean;
}

export interface CommunitiesRepo {
  /** Creates a community with a fresh KSUID id (decisions §6b) and an empty config. */
  create(name: string): Promise<Result<CommunityRecord, StorageError>>;
  get(id: string): Promise<Result<CommunityRecord | null, StorageError>>;
  list(): Promise<Result<CommunityRecord[], StorageError>>;
  /**
   * Replaces the stored config (the admin config POST). One UPDATE, so concurrent writers never lose a write: the
   * last to commit wins whole. Fires upstream's config trigger when the value changed. Unknown id → `not_found`.
   */
  setConfig(id: string, config: Readonly<Record<string, unknown>>): Promise<Result<CommunityRecord, StorageError>>;
  /** Applies a PATCH atomically in one UPDATE (no read-modify-write window). Unknown id → `not_found`. */
  patch(id: string, patch: CommunityPatch): Promise<Result<CommunityRecord, StorageError>>;
  /** Issues a new server-centric API token, revoking the old one in the same statement. Unknown id → `not_found`. */
  rotateAccessToken(id: string): Promise<Result<RotatedToken, StorageError>>;
  /**
   * The community whose current token is `token`, or null. Reads the primary, never the replica, so a rotated
   * token stops working immediately.
   */
  findByAccessToken(token: string): Promise<Result<CommunityRecord | null, StorageError>>;
}

export interface CommunitiesRepoOptions {
  readonly read?: ReadRunner;
  /** Random bytes source, replaceable in tests. */
  readonly randomBytes?: (size: number) => Buffer;
  /** Clock for KSUID timestamps, replaceable in tests. */
  readonly now?: () => number;
}

/** SHA-256 (lower-case hex of the UTF-8 token), the only form in which tokens are stored (migration 103). */
export function hashAccessToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * `pst_` + 26 characters of RFC 4648 base32, the shape upstream issues (Go's rand.Text: 130 bits), so clients see
 * no difference.
 */
export function generateAccessToken(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(26);
  let text = "";
  for (let i = 0; i < 26; i++) text += BASE32[(bytes[i] ?? 0) & 31];
  return `pst_${text}`;
}

const COLUMNS = ["id", "name", "config", "can_self_join_rooms"];

/** Communities repository over `sql` (writes, token lookups) and `read` (other reads). */
export function createCommunitiesRepo(sql: Sql, options: CommunitiesRepoOptions = {}): CommunitiesRepo {
  const read = options.read ?? ((query) => query(sql));
  const random = options.randomBytes ?? randomBytes;
  const now = options.now ?? Date.now;
  const columns = sql(COLUMNS);

  return {
    create: (name) =>
      attempt(`create community ${JSON.stringify(name)}`, async () => {
        const id = KSUID.fromParts(now(), random(16)).string;
        const [row] = await sql`INSERT INTO communities (id, name, config) VALUES (${id}, ${name}, '{}'::jsonb)
                                RETURNING ${columns}`;
        return toCommunity(row);
      }),
    get: (id) =>
      attempt(`get community ${id}`, async () => {
        const [row] = await read((s) => s`SELECT ${s(COLUMNS)} FROM communities WHERE id = ${id}`);
        return row === undefined ? null : toCommunity(row);
      }),
    list: () =>
      attempt("list communities", async () => {
        const rows = await read((s) => s`SELECT ${s(COLUMNS)} FROM communities ORDER BY id`);
        return rows.map(toCommunity);
      }),
    setConfig: async (id, config) => {
      const result = await attempt(`set config of community ${id}`, async () => {
        const [row] = await sql`UPDATE communities SET config = ${sql.json(config as never)} WHERE id = ${id}
                                RETURNING ${columns}`;
        return row === undefined ? null : toCommunity(row);
      });
      return orNotFound(result, id);
    },
    patch: async (id, patch) => {
      const result = await attempt(`patch community ${id}`, async () => {
        const hasConfig = patch.config !== undefined;
        const [row] = await sql`
          UPDATE communities SET
            name = COALESCE(${patch.name ?? null}::text, name),
            can_self_join_rooms = COALESCE(${patch.canSelfJoinRooms ?? null}::boolean, can_self_join_rooms),
            config = CASE WHEN ${hasConfig}::boolean
              THEN jsonb_strip_nulls(
                     (CASE WHEN jsonb_typeof(config) = 'object' THEN config ELSE '{}'::jsonb END)
                     || ${sql.json((patch.config ?? {}) as never)}::jsonb)
              ELSE config END
          WHERE id = ${id}
          RETURNING ${columns}`;
        return row === undefined ? null : toCommunity(row);
      });
      return orNotFound(result, id);
    },
    rotateAccessToken: async (id) => {
      const token = generateAccessToken(random);
      const result = await attempt(`rotate access token of community ${id}`, async () => {
        // The CTE locks and reads the old value in the same statement that replaces it.
        const [row] = await sql`
          WITH old AS (
            SELECT id, api_access_token_sha256 IS NOT NULL OR COALESCE(api_access_token, '') <> '' AS had
            FROM communities WHERE id = ${id} FOR UPDATE
          )
          UPDATE communities c
             SET api_access_token_sha256 = ${hashAccessToken(token)}, api_access_token = NULL
            FROM old WHERE c.id = old.id
          RETURNING old.had`;
        return row === undefined ? null : { accessToken: token, replacedPrevious: row["had"] === true };
      });
      return orNotFound(result, id);
    },
    findByAccessToken: (token) =>
      attempt("look up community by access token", async () => {
        if (token === "") return null;
        const [row] = await sql`SELECT ${columns} FROM communities WHERE api_access_token_sha256 = ${hashAccessToken(token)}`;
        return row === undefined ? null : toCommunity(row);
      }),
  };
}

function orNotFound<T>(result: Result<T | null, StorageError>, id: string): Result<T, StorageError> {
  if (!result.ok) return result;
  if (result.value === null) return err(storageError("not_found", `community ${id} does not exist`));
  return ok(result.value);
}

function toCommunity(row: Record<string, unknown> | undefined): CommunityRecord {
  if (row === undefined) throw new Error("communities query returned no row");
  const config = row["config"];
  return {
    id: String(row["id"]),
    name: String(row["name"]),
    // Upstream can store a JSONB null (PATCH "config": null); it reads back as {}.
    config: typeof config === "object" && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {},
    canSelfJoinRooms: row["can_self_join_rooms"] === true,
  };
}
