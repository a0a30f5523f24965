/**
 * The `policyserv-check` command as a testable function: argument parsing, loading the event and config files, the
 * dry run and the printed verdict. The bin script only wires it to the process.
 *
 * Exit codes: 0 not spam, 1 spam, 2 bad usage or input, 3 a filter failed (a live check would answer 500).
 */
import type { CommunityConfig, InstanceFilterSettings } from "../config/community-config.js";
import { effectiveCommunityConfig, instanceFilterSettings, validateOverrides } from "../config/layering.js";
import { loadConfig, type Env } from "../config/load.js";
import { parseStrictJson } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import { dryRun, dryRunEvent } from "./dry-run.js";

export const CHECK_USAGE = `Usage: policyserv-check --event <event.json> [--config <overrides.json>] [--room-version <v>]

Evaluates one event against the instance's filter defaults (from PS_* environment variables), optionally with a
community's override JSON laid on top, and prints the verdict with its trace. Touches no database, counter or
hellban.

  --event <file>          the event (PDU) as JSON
  --config <file>         community overrides, as stored by POST /api/v1/communities/{id}/config
  --room-version <v>      room version for redaction-dependent filters (default 11)
  --community <id>        read a stored community config (not available yet)

Exit codes: 0 not spam, 1 spam, 2 bad usage or input, 3 a filter failed.`;

/** Parsed command-line options. */
export interface CheckArgs {
  readonly eventPath: string;
  readonly configPath?: string;
  readonly roomVersion?: string;
}

/** What the command needs from the outside world (injected so tests run it in-process). */
export interface CheckIo {
  readonly env: Env;
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): number;
}

/** Parses argv (without node and script); errors name the offending flag. */
export function parseCheckArgs(argv: readonly string[]): Result<CheckArgs | "help", string> {
  let eventPath: string | undefined;
  let configPath: string | undefined;
  let roomVersion: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--help" || flag === "-h") return ok("help");
    const value = argv[i + 1];
    const needsValue = ["--event", "--config", "--room-version", "--community"];
    if (flag !== undefined && needsValue.includes(flag)) {
      if (value === undefined || value.startsWith("--")) return err(`${flag} needs a value`);
      i++;
      if (flag === "--event") eventPath = value;
      else if (flag === "--config") configPath = value;
      else if (flag === "--room-version") roomVersion = value;
      else {
        return err(
          "--community is not available yet: reading stored community configs needs the storage layer. " +
            "Export the community's config JSON and pass it with --config instead.",
        );
      }
      continue;
    }
    return err(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (eventPath === undefined) return err("--event <file> is required");
  return ok({
    eventPath,
    ...(configPath === undefined ? {} : { configPath }),
    ...(roomVersion === undefined ? {} : { roomVersion }),
  });
}

async function readJson(io: CheckIo, path: string, what: string): Promise<Result<unknown, string>> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (cause) {
    return err(`cannot read ${what} file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const parsed = parseStrictJson(text);
  return parsed.ok ? ok(parsed.value) : err(`${what} file ${path} is not valid Matrix JSON: ${parsed.error.message}`);
}

async function loadSettings(
  io: CheckIo,
  args: CheckArgs,
): Promise<Result<{ config: CommunityConfig; instance: InstanceFilterSettings }, string>> {
  const loaded = loadConfig(io.env);
  if (!loaded.ok) return err(loaded.error.map((e) => e.message).join("\n"));
  let overrides = {};
  if (args.configPath !== undefined) {
    const json = await readJson(io, args.configPath, "config");
    if (!json.ok) return json;
    const validated = validateOverrides(json.value);
    if (!validated.ok) return err(validated.error.map((e) => `config: ${e.field || "(body)"}: ${e.message}`).join("\n"));
    for (const key of validated.value.unknownKeys) io.stderr(`warning: config key ${JSON.stringify(key)} is unknown and ignored\n`);
    overrides = validated.value.overrides;
  }
  return ok({
    config: effectiveCommunityConfig(loaded.value.config.communityDefaults, overrides),
    instance: instanceFilterSettings(loaded.value.config),
  });
}

/** Runs the command; returns the exit code. */
export async function runCheckCommand(argv: readonly string[], io: CheckIo): Promise<number> {
  const args = parseCheckArgs(argv);
  if (!args.ok) {
    io.stderr(`policyserv-check: ${args.error}\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  if (args.value === "help") {
    io.stdout(`${CHECK_USAGE}\n`);
    return 0;
  }
  const settings = await loadSettings(io, args.value);
  if (!settings.ok) {
    io.stderr(`policyserv-check: ${settings.error}\n`);
    return 2;
  }
  const json = await readJson(io, args.value.eventPath, "event");
  const event = json.ok ? dryRunEvent(json.value) : json;
  if (!event.ok) {
    io.stderr(`policyserv-check: ${event.error}\n`);
    return 2;
  }
  const result = await dryRun({
    event: event.value,
    ...settings.value,
    ...(args.value.roomVersion === undefined ? {} : { roomVersion: args.value.roomVersion }),
    now: io.now(),
  });
  io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  if (result.failure !== undefined) return 3;
  return result.spam ? 1 : 0;
}
