/**
 * A private PostgreSQL cluster for fault tests: initdb into a temporary folder, started on a free loopback port,
 * and stopped and started again at will (an outage the shared server on 5432 must never suffer). The binaries are
 * PostgreSQL's own (initdb, pg_ctl); as root they run as the `postgres` user, because the server refuses root.
 */
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

export interface PgCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  readonly adminUrl: string;
  readonly port: number;
  /** A URL to a database called `name` (create it first with `createDatabase`). */
  url(name: string): string;
  createDatabase(name: string): Promise<string>;
  /** Stops the server: `immediate` is a crash (no checkpoint), `fast` a clean shutdown; both cut every client. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Whether the server is running (as far as this helper knows). */
  readonly running: boolean;
  /** Stops the server if running and deletes the data folder. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  return newest === undefined ? undefined : join(base, newest, "bin");
}

/** Why a private cluster cannot run here, or false when it can (used as a `skip` reason). */
export function clusterUnavailable(): string | false {
  if (postgresBinDir() === undefined) return "PostgreSQL binaries (initdb, pg_ctl) are not installed";
  return false;
}

/** A free loopback TCP port (bound and released; the tiny race is acceptable for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Creates, starts and returns a private cluster. Throws (a bug in the environment) when it cannot. */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql");
  const root = mkdtempSync(join(tmpdir(), "policyserv-pgcluster-"));
  const dataDir = join(root, "data");
  const socketDir = root;
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(root, 0o700);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args);

  await pg("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const logFile = join(root, "server.log");
  // Small and fast: no fsync (tests never survive a machine crash), few connections, listening on loopback only.
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${socketDir}`,
    "-c fsync=off",
    "-c synchronous_commit=on",
    "-c full_page_writes=off",
    "-c max_connections=100",
    "-c shared_buffers=16MB",
  ].join(" ");
  let running = false;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const start = async (): Promise<void> => {
    await pg("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "-t", "30", "start"]);
    running = true;
  };
  const stop = async (mode: "fast" | "immediate" = "fast"): Promise<void> => {
    if (!running) return;
    await pg("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
    running = false;
  };
  await start();
  // A test process that dies without `destroy` (a crash, a timeout kill) must not leave a postmaster running.
  const stopOnExit = (): void => {
    if (!running) return void rmSync(root, { recursive: true, force: true });
    const args = ["-D", dataDir, "-m", "immediate", "-w", "stop"];
    try {
      if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(join(bin, "pg_ctl"), args, { stdio: "ignore" });
    } catch {
      // Best effort: the folder is in the temporary directory either way.
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once("exit", stopOnExit);

  const url = (name: string): string => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    adminUrl,
    port,
    url,
    get running() {
      return running;
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" is not a plain identifier`);
      const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await admin.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end({ timeout: 1 });
      }
      return url(name);
    },
    stop,
    start,
    async destroy() {
      process.off("exit", stopOnExit);
      await stop("immediate").catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
