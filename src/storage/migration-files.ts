import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { err, ok, type Result } from "../result.js";

/** One numbered migration: its id (the number, as gomigrate stores it), name and "up" SQL. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly file: string;
  readonly up: string;
}

// gomigrate's naming: <digits>_<name>_up.sql / <digits>_<name>_down.sql. The name may contain dashes and underscores.
const FILE_PATTERN = /^(\d+)_(.+)_(up|down)\.sql$/;

/**
 * Reads a migration directory the way upstream's gomigrate does: files must pair up (`_up` and `_down` with the
 * same number), other files are ignored, and the result is sorted by number. Errors name the offending file.
 */
export function readMigrations(directory: string): Result<Migration[], string> {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    return err(`cannot read migration directory ${directory}: ${(error as Error).message}`);
  }
  const halves = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of names) {
    const match = FILE_PATTERN.exec(file);
    if (match === null) continue;
    const [, digits = "", name = "", direction] = match;
    const id = Number(digits);
    if (!Number.isSafeInteger(id)) return err(`migration number out of range in ${file}`);
    const entry = halves.get(id) ?? { name };
    if (entry.name !== name) return err(`two migrations numbered ${id}: ${entry.name} and ${name}`);
    if (direction === "up") entry.up = file;
    else entry.down = file;
    halves.set(id, entry);
  }
  const migrations: Migration[] = [];
  for (const [id, entry] of [...halves].sort((a, b) => a[0] - b[0])) {
    if (entry.up === undefined || entry.down === undefined) {
      return err(`invalid pair of migration files for ${id}_${entry.name}: both _up.sql and _down.sql are required`);
    }
    migrations.push({ id, name: entry.name, file: entry.up, up: readFileSync(join(directory, entry.up), "utf8") });
  }
  return ok(migrations);
}

/**
 * The repository's own `migrations/` folder, found by walking up from this module to the directory holding
 * package.json. Works from `src/` under tsx and from `dist/src/` after a build, which sit at different depths.
 */
export function defaultMigrationsDirectory(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "migrations"))) return join(dir, "migrations");
    const parent = dirname(dir);
    if (parent === dir) return resolve("migrations");
    dir = parent;
  }
}
