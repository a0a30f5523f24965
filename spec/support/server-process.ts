/**
 * Runs the real server (src/main.ts through tsx) as a child process, as an operator would, and finds its ports
 * from the "listening" log line. Used by the end-to-end and fault tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultMigrationsDirectory } from "../../src/storage/migration-files.js";

/** The checkout: from spec/support, or from the benchmarks' compiled copy under .bench/spec/support. */
const ROOT = dirname(defaultMigrationsDirectory(fileURLToPath(import.meta.url)));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

export interface ServerProcess {
  readonly url: string;
  readonly opsUrl: string;
  readonly child: ChildProcess;
  /** Every log line so far (JSON strings). */
  readonly logs: string[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Extra node flags, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  /** Run the compiled output (`dist/src/main.js`, as the Docker image does) instead of the TypeScript sources. */
  readonly compiled?: boolean;
  /** How long start-up may take. Default 30 s. */
  readonly timeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const entry =
    options.compiled === true
      ? [join(ROOT, "dist", "src", "main.js")]
      : ["--import", TSX, join(ROOT, "src", "main.ts")];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: options.cwd,
    env: {
      PATH: process.env["PATH"] ?? "",
      PS_HTTP_BIND: "127.0.0.1:0",
      PS_HTTP_METRICS_BIND: "127.0.0.1:0",
      PS_DATABASE_MIGRATIONS_DIR: join(ROOT, "migrations"),
      PS_LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const listening = new Promise<{ http: string; metrics: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${logs.join("\n")}`)),
      options.timeoutMs ?? 30_000,
    );
    let buffered = "";
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        logs.push(line);
        if (line.includes('"msg":"listening"')) {
          clearTimeout(timer);
          const parsed = JSON.parse(line) as { http: string; metrics: string };
          resolve(parsed);
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} during start-up:\n${logs.join("\n")}`));
    });
  });
  const where = await listening;
  return {
    url: `http://${where.http}`,
    opsUrl: `http://${where.metrics}`,
    child,
    logs,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
