/**
 * An open-loop load generator for the half-load measurement. autocannon's rate limit is per connection and per
 * second: each connection sends its quota for the second back to back, then waits for the next tick, so a "half
 * load" run is a full-concurrency burst every second, and its rate-mode latency histogram adds synthetic samples
 * on top. Here requests are due at even intervals, sent over a bounded pool of keep-alive connections, and each
 * one's latency counts from the moment it was due, so a backlog the server builds shows up in the figures instead
 * of slowing the sender down (no coordinated omission). A warm-up at the same rate comes first and is not counted, so
 * the figures are the steady state at that rate, not the drain of whatever ran before.
 */
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface PacedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface PacedFigures {
  readonly sent: number;
  readonly ok: number;
  readonly other: number;
  readonly errors: number;
  /** Answered requests per second over the run. */
  readonly achieved: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The generator's own event-loop delay over the run (p99, max): a late generator inflates the latencies. */
  readonly senderLagMs: { readonly p99: number; readonly max: number };
}

export async function pacedLoad(
  url: string,
  path: string,
  pool: readonly PacedRequest[],
  options: { readonly rate: number; readonly seconds: number; readonly connections: number; readonly warmupSeconds?: number },
): Promise<PacedFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(path, url);
  const measuredFrom = Math.floor(options.rate * (options.warmupSeconds ?? 0));
  const total = measuredFrom + Math.floor(options.rate * options.seconds);
  const latencies: number[] = [];
  let ok = 0;
  let other = 0;
  let errors = 0;
  let issued = 0;
  let settled = 0;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const started = performance.now();
  let measuring = started;

  await new Promise<void>((resolve) => {
    const settle = (): void => {
      if (++settled === total) resolve();
    };
    const send = (index: number): void => {
      const due = started + (index * 1000) / options.rate;
      const counted = index >= measuredFrom;
      if (index === measuredFrom) measuring = due;
      const prepared = pool[index % pool.length] as PacedRequest;
      const req = request(
        target,
        { method: "POST", agent, headers: { ...prepared.headers, "content-length": Buffer.byteLength(prepared.body) } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (counted) {
              latencies.push(performance.now() - due);
              if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++;
              else other++;
            }
            settle();
          });
        },
      );
      req.on("error", () => {
        if (counted) errors++;
        settle();
      });
      req.end(prepared.body);
    };
    // A 1 ms tick sends whatever has fallen due, so the schedule holds even when a tick runs late.
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * options.rate) / 1000) + 1);
      while (issued < due) send(issued++);
      if (issued < total) setTimeout(tick, 1);
    };
    if (total === 0) resolve();
    else tick();
  });
  const seconds = (performance.now() - measuring) / 1000;
  lag.disable();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  return { sent: issued - measuredFrom, ok, other, errors, achieved: (ok + other) / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    senderLagMs: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
  };
}
