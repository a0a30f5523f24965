/**
 * The `gen_signing_keys` command without the process around it: arguments and environment in, lines and an exit
 * code out, so tests can drive it directly. The bin file (src/cli/gen-signing-keys.ts) only wires process I/O.
 *
 * Exit codes: 0 both key files exist afterwards (written or kept); 1 a key file could not be written or an
 * existing one is unreadable or malformed; 2 usage or configuration error.
 */
import { parseArgs } from "node:util";
import { parseOption, type Env } from "../config/load.js";
import { optionSpec } from "../config/options.js";
import { generateKeyFiles } from "./generate-key-files.js";

export interface CommandOutput {
  log(line: string): void;
  error(line: string): void;
}

const USAGE = [
  "usage: gen_signing_keys [--overwrite] [--server-key PATH] [--event-key PATH]",
  "",
  "Writes the federation key (PS_HOMESERVER_SIGNING_KEY_PATH, default ./signing.key) and the event key",
  "(PS_HOMESERVER_EVENT_SIGNING_KEY_PATH, default ./event_signing.key) in upstream policyserv's key format.",
  "Existing files are kept unless --overwrite is given. Flags take precedence over the environment.",
].join("\n");

/** Runs the command; resolves to the exit code. */
export async function runGenSigningKeys(argv: readonly string[], env: Env, out: CommandOutput): Promise<number> {
  // Upstream's Go flag is `-overwrite`; accept it so existing scripts keep working.
  const args = argv.map((arg) => (arg === "-overwrite" ? "--overwrite" : arg));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        overwrite: { type: "boolean", default: false },
        "server-key": { type: "string" },
        "event-key": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    out.error(`gen_signing_keys: ${(error as Error).message}`);
    out.error(USAGE);
    return 2;
  }
  if (parsed.values.help) {
    out.log(USAGE);
    return 0;
  }
  const serverPath = parsed.values["server-key"] ?? pathFromEnv("PS_HOMESERVER_SIGNING_KEY_PATH", env, out);
  const eventPath = parsed.values["event-key"] ?? pathFromEnv("PS_HOMESERVER_EVENT_SIGNING_KEY_PATH", env, out);
  if (serverPath === undefined || eventPath === undefined) return 2;
  if (serverPath === "" || eventPath === "") {
    out.error("gen_signing_keys: a key path must not be empty");
    return 2;
  }

  const outcomes = await generateKeyFiles(
    { signingKeyPath: serverPath, eventSigningKeyPath: eventPath },
    { overwrite: parsed.values.overwrite },
  );
  for (const outcome of outcomes) {
    if (outcome.status === "failed") out.error(outcome.message);
    else out.log(outcome.message);
  }
  return outcomes.some((outcome) => outcome.status === "failed") ? 1 : 0;
}

function pathFromEnv(name: string, env: Env, out: CommandOutput): string | undefined {
  const parsed = parseOption(optionSpec(name), env);
  if (!parsed.ok) {
    out.error(`gen_signing_keys: ${parsed.error.message}`);
    return undefined;
  }
  return parsed.value as string;
}
