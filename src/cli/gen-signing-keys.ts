#!/usr/bin/env node
/**
 * `gen_signing_keys`: creates the two signing key files policyserv needs. A thin shell over runGenSigningKeys,
 * which holds all the behaviour (and its exit codes) and is what the tests exercise.
 */
import { readProcessEnv } from "../config/load.js";
import { runGenSigningKeys } from "../keys/gen-signing-keys-command.js";

const code = await runGenSigningKeys(process.argv.slice(2), readProcessEnv(), {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
});
process.exitCode = code;
