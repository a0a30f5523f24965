import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../observability/logger.js";
import { err, ok, type Result } from "../result.js";

export interface EmbeddedOptions {
  /** The server's data folder (`./data` by default); PGlite keeps its files in `<dataDir>/pglite`. */
  readonly dataDir: string;
  /**
   * Connections the socket server accepts at once. PGlite refuses any beyond this with a reset, so it must cover
   * the pool, the migrator and any listener (runtime.md §4.1). Default 16.
   */
  readonly maxConnections?: number;
  /** How long to wait for the child to be ready (a first start runs initdb, ~4-7 s). Default 60 s. */
  readonly startTimeoutMs?: number;
  readonly logger: Logger;
}

/** A running embedded PostgreSQL: where to connect, and how to stop it. */
export interface EmbeddedDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, for openDatabase (with `embedded: true`). */
  readonly url: string;
  /** The child's process id, for logs. */
  readonly pid: number;
  /** Stops the server and waits for the child to flush and exit (killed after ten seconds). */
  stop(): Promise<void>;
  /** Kills the child at once without flushing: only for throw-away databases (tests). */
  kill(): Promise<void>;
}

type ChildMessage = { type: "ready"; host: string; port: number } | { type: "failed"; message: string };

/**
 * Starts PGlite in a child process (decisions §5.2, runtime.md §4.3) and resolves once it accepts connections.
 * Data is file-backed, so it survives restarts. The child exits by itself when this process goes away, because
 * its IPC channel closes. Only one process may use a data folder at a time.
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<Result<EmbeddedDatabase, string>> {
  const { script, execArgv } = childEntryPoint();
  const dataPath = join(options.dataDir, "pglite");
  const maxConnections = options.maxConnections ?? 16;
  const child = fork(script, [dataPath, String(maxConnections)], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });

  const started = await new Promise<Result<{ host: string; port: number }, string>>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(err(`embedded database did not start within ${options.startTimeoutMs ?? 60_000} ms (data: ${dataPath})`));
    }, options.startTimeoutMs ?? 60_000);
    child.once("message", (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === "ready") resolve(ok({ host: message.host, port: message.port }));
      else resolve(err(`embedded database failed to start (data: ${dataPath}): ${message.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(err(`embedded database exited during start-up (code ${code}, signal ${signal}; data: ${dataPath})`));
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve(err(`cannot start the embedded database process: ${error.message}`));
    });
  });
  if (!started.ok) return started;

  const logger = options.logger;
  let exited = false;
  child.on("exit", (code, signal) => {
    exited = true;
    logger.info({ code, signal }, "embedded database process exited");
  });
  const { host, port } = started.value;
  logger.info({ dataDir: dataPath, host, port, pid: child.pid }, "embedded PostgreSQL (PGlite) is running");
  return ok({
    url: `postgres://postgres@${host}:${port}/postgres`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, () => exited),
    kill: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await gone;
    },
  });
}

async function stopChild(child: ChildProcess, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    if (child.connected) child.send({ type: "stop" });
    else child.kill("SIGTERM");
  });
}

/**
 * The child script next to this module: `.ts` under tsx (the child then needs tsx's loader too), `.js` after a
 * build (plain node).
 */
function childEntryPoint(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts")) {
    return { script: self.replace(/embedded\.ts$/, "embedded-server.ts"), execArgv: ["--import", import.meta.resolve("tsx")] };
  }
  return { script: self.replace(/embedded\.js$/, "embedded-server.js"), execArgv: [] };
}
