// Sign throughput of the real server: `npm run bench`. Starts policyserv as a child process on real PostgreSQL,
// joins a room through the admin API from a fake homeserver, pre-signs distinct sign requests for distinct clean
// events, and drives them over loopback: autocannon at full load, then an even, open-loop half load (paced-load.ts).
// Prints requests/s, p50/p99 latency, and the one-core "crypto floor" (two verifications and one signature per
// request) measured in the same run. Asserts nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { generateKeyFiles } from "../src/keys/generate-key-files.js";
import {
  generateSigningKey,
  signatureOf,
  signXMatrixHeader,
  verifyJsonSignature,
  verifyKeyOf,
  type JsonObject,
} from "../src/matrix/index.js";
import { createTestDatabase } from "../spec/support/database.js";
import { serveRoom } from "../spec/support/fake-resident-server.js";
import { Peer } from "../spec/support/peer.js";
import { startServer } from "../spec/support/server-process.js";
import { pacedLoad } from "./paced-load.js";

const SERVER_NAME = "policy.test";
const API_KEY = "bench-admin-key";
const CONNECTIONS = 64;
const DURATION_S = Number(process.env["BENCH_SECONDS"] ?? 10);
const PATH = "/_matrix/policy/v1/sign";
// BENCH_HALF_WARMUP=s runs the half load that long before measuring (steady state only); by default the half-load
// figures include the drain of the full-load run, the stricter reading.
const HALF_WARMUP_S = Number(process.env["BENCH_HALF_WARMUP"] ?? 0);

interface PreparedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The rate at which one core does what every sign request needs: verify X-Matrix, verify the event, sign it. */
function cryptoFloor(sample: JsonObject): number {
  const key = generateSigningKey("floor");
  const verifyKey = verifyKeyOf(key);
  const signed = { ...sample, signatures: { "hs1.test": { [key.keyId]: signatureOf(sample, key) } } };
  const rounds = 3000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    verifyJsonSignature(signed, "hs1.test", key.keyId, verifyKey);
    verifyJsonSignature(signed, "hs1.test", key.keyId, verifyKey);
    signatureOf(sample, key);
  }
  return rounds / ((performance.now() - started) / 1000);
}

/** CPU seconds (user + system) of a process or thread from its /proc stat file; USER_HZ is 100 on Linux. */
function cpuSecondsOf(statPath: string): number {
  const stat = readFileSync(statPath, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface CpuSnapshot {
  readonly server: number;
  readonly mainThread: number;
  /** Every local process named `postgres` (the database the bench created runs on this machine). */
  readonly postgres: number;
}

/**
 * CPU used so far by the server (all threads, and its event-loop thread alone) and by local PostgreSQL, from /proc;
 * undefined off Linux. Per-request CPU is steadier than requests/s on a noisy machine, so it shows what a change saved.
 */
function cpuSnapshot(pid: number | undefined): CpuSnapshot | undefined {
  if (pid === undefined) return undefined;
  try {
    let postgres = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") postgres += cpuSecondsOf(`/proc/${entry}/stat`);
      } catch {
        // The process ended between the listing and the read.
      }
    }
    return { server: cpuSecondsOf(`/proc/${pid}/stat`), mainThread: cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`), postgres };
  } catch {
    return undefined;
  }
}

/** Full load: autocannon keeps every connection busy (closed loop). The half-load run uses pacedLoad instead. */
async function drive(url: string, pool: PreparedRequest[], options: { seconds: number }) {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.seconds,
    requests: [
      {
        method: "POST",
        path: PATH,
        setupRequest: (request) => {
          const prepared = pool[next++ % pool.length] as PreparedRequest;
          return { ...request, headers: prepared.headers, body: prepared.body };
        },
      },
    ],
  });
  return { result, used: next };
}

async function main(): Promise<void> {
  const database = await createTestDatabase({ backend: "postgres" });
  const peer = await Peer.start("hs1.test");
  const workdir = mkdtempSync(join(tmpdir(), "policyserv-bench-"));
  await generateKeyFiles(
    { signingKeyPath: join(workdir, "signing.key"), eventSigningKeyPath: join(workdir, "event_signing.key") },
    { overwrite: false },
  );
  const server = await startServer({
    cwd: workdir,
    env: {
      ...peer.serverEnv(database.url, { serverName: SERVER_NAME, apiKey: API_KEY }),
      PS_PROCESSING_POOL_SIZE: "256",
      // BENCH_SERVER_ENV="K=V K=V" adds to the server's environment (e.g. UV_THREADPOOL_SIZE, PS_* settings).
      ...Object.fromEntries(
        (process.env["BENCH_SERVER_ENV"] ?? "")
          .split(" ")
          .filter((pair) => pair.includes("="))
          .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
      ),
    },
    // The compiled output, as the Docker image runs it (`npm run bench` builds it first).
    compiled: true,
    // BENCH_NODE_ARGS are Node flags for the server; BENCH_CPU_PROFILE=dir adds a CPU profile written there on exit
    // (open it in Chrome DevTools). Both may be given.
    nodeArgs: [
      ...(process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg !== ""),
      ...(process.env["BENCH_CPU_PROFILE"] ? ["--cpu-prof", `--cpu-prof-dir=${process.env["BENCH_CPU_PROFILE"]}`] : []),
    ],
  });
  try {
    const admin = (path: string, body: unknown): Promise<Response> =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify(body),
      });
    const created = await admin("/api/v1/communities/new", { name: "benchmark" });
    const communityId = ((await created.json()) as { community_id: string }).community_id;
    const room = peer.createRoom("11");
    serveRoom(peer.hs, room, []);
    const joined = await admin(`/api/v1/rooms/${encodeURIComponent(room.roomId)}/join`, { community_id: communityId });
    if (joined.status !== 200) throw new Error(`join failed: ${await joined.text()}`);

    // Distinct clean events from distinct senders, so no verdict is cached and nobody is rate limited.
    const expected = Math.ceil(DURATION_S * 8000 * 1.5);
    console.log(`pre-signing ${expected} sign requests...`);
    const pool: PreparedRequest[] = [];
    for (let i = 0; i < expected; i++) {
      const pdu = peer.event(room, {
        sender: peer.user(`user${i}`),
        content: { msgtype: "m.text", body: `Benchmark message ${i}: the quick brown fox jumps over the lazy dog.` },
      });
      const authorization = signXMatrixHeader({
        method: "POST",
        uri: PATH,
        origin: peer.serverName,
        destination: SERVER_NAME,
        content: pdu,
        key: peer.key,
      });
      pool.push({ headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(pdu) });
    }
    const sample = JSON.parse((pool[0] as PreparedRequest).body) as JsonObject;

    // Warm up JIT, keyring and room caches with a slice of the pool that is not reused.
    await drive(server.url, pool.slice(0, 2000), { seconds: 2 });
    const measured = pool.slice(2000);
    const floor = cryptoFloor(sample);
    const cpuBefore = cpuSnapshot(server.child.pid);
    const full = await drive(server.url, measured, { seconds: DURATION_S });
    const cpuAfter = cpuSnapshot(server.child.pid);
    const rps = full.result.requests.average;
    const ok = full.result["2xx"];
    const non2xx = full.result.non2xx;
    console.log("");
    console.log(`sign, ${CONNECTIONS} connections, ${DURATION_S} s (distinct events: ${full.used} sent)`);
    console.log(`  requests/s          ${rps.toFixed(0)}  (2xx ${ok}, other ${non2xx}, errors ${full.result.errors})`);
    console.log(`  latency p50 / p99   ${full.result.latency.p50} ms / ${full.result.latency.p99} ms`);
    console.log(`  crypto floor        ${floor.toFixed(0)} requests/s on one core (2 verifies + 1 signature)`);
    console.log(`  ratio to the floor  ${(rps / floor).toFixed(2)}  (target >= 0.60)`);
    if (cpuBefore !== undefined && cpuAfter !== undefined && full.result.requests.total > 0) {
      const perRequest = (key: keyof CpuSnapshot): string =>
        (((cpuAfter[key] - cpuBefore[key]) * 1e6) / full.result.requests.total).toFixed(0);
      console.log(
        `  CPU per request     server ${perRequest("server")} µs (event loop ${perRequest("mainThread")} µs), ` +
          `PostgreSQL ${perRequest("postgres")} µs`,
      );
    }
    // BENCH_METRICS=1 prints the server's own check, HTTP, event-loop and GC metrics after each phase.
    const printMetrics = async (): Promise<void> => {
      if (!process.env["BENCH_METRICS"]) return;
      const text = await (await fetch(`${server.opsUrl}/metrics`)).text();
      const wanted = /^policyserv_(check|http_request_duration_seconds_(sum|count|bucket)|nodejs_eventloop_lag|nodejs_gc_duration_seconds_(sum|count)|unwritten_verdicts)/;
      console.log(text.split("\n").filter((line) => wanted.test(line)).join("\n"));
    };
    await printMetrics();
    const halfRate = Math.max(1, Math.floor(rps / 2));
    const rest = measured.slice(full.used);
    const halfNeeds = halfRate * (DURATION_S + HALF_WARMUP_S);
    const half = await pacedLoad(server.url, PATH, rest.length > halfNeeds ? rest : measured, {
      rate: halfRate,
      seconds: DURATION_S,
      connections: CONNECTIONS,
      warmupSeconds: HALF_WARMUP_S,
    });
    console.log(
      `sign at half load (${halfRate} requests/s offered at even intervals, open loop` +
        (HALF_WARMUP_S > 0 ? `; measured after ${HALF_WARMUP_S} s at that rate)` : ", right after the full-load run)"),
    );
    const answered = `2xx ${half.ok}, other ${half.other}, errors ${half.errors}`;
    console.log(`  requests/s          ${half.achieved.toFixed(0)}  (${answered})`);
    const latency = `${half.p50Ms.toFixed(0)} ms / ${half.p99Ms.toFixed(0)} ms`;
    console.log(`  latency p50 / p99   ${latency}  (from each request's due time; target p99 < 50 ms)`);
    const lag = `p99 ${half.senderLagMs.p99.toFixed(0)} ms, max ${half.senderLagMs.max.toFixed(0)} ms`;
    console.log(`  sender's loop delay ${lag}  (the generator shares the cores; its delays count as latency)`);
    await printMetrics();
  } finally {
    await server.stop();
    await peer.close();
    await database.drop();
    rmSync(workdir, { recursive: true, force: true });
  }
}

await main();
