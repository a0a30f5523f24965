#!/usr/bin/env node
/**
 * `policyserv-check --event event.json [--config config.json]`: dry-runs one event and prints the verdict JSON.
 * A thin shell over runCheckCommand (src/pipeline/check-command.ts), which holds the logic and its tests.
 */
import { readFile } from "node:fs/promises";
import { readProcessEnv } from "../config/load.js";
import { runCheckCommand } from "../pipeline/check-command.js";

const code = await runCheckCommand(process.argv.slice(2), {
  env: readProcessEnv(),
  readFile: (path) => readFile(path, "utf8"),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => Date.now(),
});
process.exitCode = code;
