import type { Result } from "../result.js";
import type { ReadRunner, Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

/** A named keyword template; `body` is the raw Go text/template source. */
export interface KeywordTemplateRecord {
  readonly name: string;
  readonly body: string;
}

export interface KeywordTemplatesRepo {
  get(name: string): Promise<Result<KeywordTemplateRecord | null, StorageError>>;
  /** Creates or overwrites (an empty body is upstream's "deletion" convention: the row stays). */
  put(template: KeywordTemplateRecord): Promise<Result<void, StorageError>>;
  /** All templates by name. */
  list(): Promise<Result<KeywordTemplateRecord[], StorageError>>;
}

/** Keyword templates over `sql` (writes) and `read` (reads). */
export function createKeywordTemplatesRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): KeywordTemplatesRepo {
  return {
    get: (name) =>
      attempt(`get keyword template ${name}`, async () => {
        const [row] = await read((s) => s`SELECT name, body FROM keyword_templates WHERE name = ${name}`);
        return row === undefined ? null : { name: String(row["name"]), body: String(row["body"]) };
      }),
    put: (template) =>
      attempt(`put keyword template ${template.name}`, async () => {
        await sql`INSERT INTO keyword_templates (name, body) VALUES (${template.name}, ${template.body})
                  ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body`;
      }),
    list: () =>
      attempt("list keyword templates", async () => {
        const rows = await read((s) => s`SELECT name, body FROM keyword_templates ORDER BY name`);
        return rows.map((r) => ({ name: String(r["name"]), body: String(r["body"]) }));
      }),
  };
}
