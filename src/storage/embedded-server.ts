/**
 * Child-process entry point for the embedded database: runs PGlite (PostgreSQL compiled to WASM) behind
 * pglite-socket so the main process talks plain PostgreSQL protocol to it. It lives in its own process because the
 * WASM executes on the thread owning it, about 0.4 ms of CPU per query (runtime.md §4.3), which would otherwise
 * stall our event loop.
 *
 * Protocol with the parent (IPC): argv = [dataDir, maxConnections]; the child sends `{type:"ready", host, port}` or
 * `{type:"failed", message}`; the parent sends `{type:"stop"}`. The child also stops when the IPC channel closes,
 * so it never outlives its parent.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const HOST = "127.0.0.1";

async function main(): Promise<void> {
  const [dataDir, maxConnectionsText] = process.argv.slice(2);
  const maxConnections = Number(maxConnectionsText);
  if (dataDir === undefined || dataDir === "" || !Number.isInteger(maxConnections) || maxConnections < 2) {
    send({ type: "failed", message: `usage: embedded-server <dataDir> <maxConnections >= 2>; got ${process.argv.slice(2).join(" ")}` });
    process.exit(2);
  }
  mkdirSync(dataDir, { recursive: true });
  const lock = takeLock(`${dataDir}.lock`);
  if (!lock.ok) {
    send({ type: "failed", message: lock.message });
    process.exit(1);
  }
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: HOST, port: 0, maxConnections });
  await server.start();
  const [, portText] = server.getServerConn().split(":");

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await server.stop();
    } finally {
      // Closing flushes PGlite's file-backed storage; without it the last writes could be lost.
      await db.close();
      rmSync(`${dataDir}.lock`, { force: true });
      process.exit(0);
    }
  };
  process.on("message", (message: unknown) => {
    if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  send({ type: "ready", host: HOST, port: Number(portText) });
}

/**
 * Two PGlite instances on one folder would corrupt it, so the folder is claimed with a pid file. A file left by a
 * process that no longer runs (killed) is taken over.
 */
function takeLock(path: string): { ok: true } | { ok: false; message: string } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { ok: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        return { ok: false, message: `cannot create lock file ${path}: ${(error as Error).message}` };
      }
      const holder = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        return { ok: false, message: `data folder is in use by process ${holder} (lock file ${path})` };
      }
      rmSync(path, { force: true });
    }
  }
  return { ok: false, message: `cannot take lock file ${path}` };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function send(message: object): void {
  if (process.send !== undefined) process.send(message);
}

main().catch((error: unknown) => {
  send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
