/**
 * A loopback TCP proxy whose link can be broken on demand, for faults a stopped server cannot produce:
 * - "pass": bytes flow both ways;
 * - "blackhole": a network partition: existing connections freeze and new ones are accepted but never answered;
 * - "refuse": every connection is reset (the far side is gone).
 * Switching back to "pass" destroys the frozen connections, as a healed partition's peers would eventually see.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "pass" | "blackhole" | "refuse";

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  const links = new Set<{ client: Socket; upstream: Socket | undefined }>();
  const server: Server = createServer((client) => {
    client.on("error", () => undefined);
    if (mode === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const link: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined };
    links.add(link);
    client.once("close", () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    if (mode === "blackhole") {
      client.pause();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    link.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.once("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({
        port,
        via(url) {
          const parsed = new URL(url);
          parsed.hostname = "127.0.0.1";
          parsed.port = String(port);
          return parsed.toString();
        },
        setMode(next) {
          if (next === mode) return;
          const previous = mode;
          mode = next;
          for (const link of links) {
            if (next === "blackhole") {
              // Freeze: nothing more is read or forwarded either way.
              link.client.unpipe();
              link.upstream?.unpipe();
              link.client.pause();
              link.upstream?.pause();
            } else if (next === "refuse" || previous === "blackhole") {
              link.client.resetAndDestroy();
              link.upstream?.destroy();
            }
          }
        },
        close() {
          for (const link of links) {
            link.client.destroy();
            link.upstream?.destroy();
          }
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
