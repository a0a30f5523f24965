/**
 * Helper process for spec/pg/embedded.test.ts: starts the embedded database, prints the child's pid, then exits
 * abruptly (no stop), so the test can check that the child does not outlive its parent.
 */
import { pino } from "pino";
import { startEmbeddedDatabase } from "../../src/storage/embedded.js";

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error("usage: embedded-parent <dataDir>");
const started = await startEmbeddedDatabase({ dataDir, logger: pino({ level: "silent" }) });
if (!started.ok) {
  console.log(`error=${started.error}`);
  process.exit(1);
}
console.log(`child=${started.value.pid}`);
process.exit(0);
