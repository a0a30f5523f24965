import { Session } from "node:inspector";
import { Router } from "@koa/router";
import Koa from "koa";
import { MatrixError } from "./matrix-error.js";

const MAX_PROFILE_SECONDS = 120;

/**
 * Node's equivalent of Go's pprof endpoints (`PS_HTTP_PPROF_BIND`): a CPU profile over N seconds
 * (`.cpuprofile`) and a heap snapshot (`.heapsnapshot`), both loadable in Chrome DevTools.
 */
export function createPprofApp(): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  let busy = false;

  router.get("/debug/pprof/profile", async (ctx) => {
    const seconds = Number(ctx.query["seconds"] ?? 30);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PROFILE_SECONDS) {
      throw new MatrixError("M_INVALID_PARAM", `seconds must be an integer from 1 to ${MAX_PROFILE_SECONDS}`);
    }
    if (busy) throw new MatrixError("M_LIMIT_EXCEEDED", "A profile is already being taken");
    busy = true;
    try {
      ctx.set("Content-Disposition", 'attachment; filename="policyserv.cpuprofile"');
      ctx.type = "application/json";
      ctx.body = await cpuProfile(seconds * 1000);
    } finally {
      busy = false;
    }
  });

  router.get("/debug/pprof/heap", async (ctx) => {
    if (busy) throw new MatrixError("M_LIMIT_EXCEEDED", "A profile is already being taken");
    busy = true;
    try {
      ctx.set("Content-Disposition", 'attachment; filename="policyserv.heapsnapshot"');
      ctx.type = "application/json";
      ctx.body = await heapSnapshot();
    } finally {
      busy = false;
    }
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const e = error instanceof MatrixError ? error : new MatrixError("M_UNKNOWN", "profiling failed");
      ctx.status = e.status;
      ctx.body = e.body();
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

async function cpuProfile(durationMs: number): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await post(session, "Profiler.enable");
    await post(session, "Profiler.start");
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const { profile } = await post<{ profile: unknown }>(session, "Profiler.stop");
    return JSON.stringify(profile);
  } finally {
    session.disconnect();
  }
}

async function heapSnapshot(): Promise<string> {
  const session = new Session();
  session.connect();
  const chunks: string[] = [];
  session.on("HeapProfiler.addHeapSnapshotChunk", (message) => {
    chunks.push((message.params as { chunk: string }).chunk);
  });
  try {
    await post(session, "HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    return chunks.join("");
  } finally {
    session.disconnect();
  }
}
