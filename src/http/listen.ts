import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { err, ok, type Result } from "../result.js";

/** A parsed `host:port` bind address (`[::1]:8080` for IPv6). */
export interface BindAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `PS_HTTP_BIND`-style values; port 0 asks the OS for a free port (tests). */
export function parseBindAddress(value: string): Result<BindAddress, string> {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) return err(`"${value}" is not host:port`);
  const port = Number(match[3]);
  if (port > 65535) return err(`"${value}" has a port over 65535`);
  const host = match[1] ?? (match[2] === "" ? "0.0.0.0" : (match[2] ?? "0.0.0.0"));
  return ok({ host, port });
}

export interface RunningServer {
  readonly server: Server;
  readonly address: AddressInfo;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes what is left. */
  close(graceMs: number): Promise<void>;
}

export interface ListenOptions {
  /** Deadline for request headers, so slow-header clients cannot hold sockets (slowloris). */
  readonly headersTimeoutMs?: number;
  /** Deadline for a whole request. */
  readonly requestTimeoutMs?: number;
}

export function listen(handler: RequestListener, bind: BindAddress, options: ListenOptions = {}): Promise<RunningServer> {
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 30_000,
      // Node enforces the two deadlines above only when it sweeps connections, every 30 s by default; a slowloris
      // client would then hold its socket for up to 40 s instead of 10. Sweep every second.
      connectionsCheckingInterval: 1_000,
    },
    handler,
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(bind.port, bind.host, () => {
      server.off("error", reject);
      resolve({
        server,
        address: server.address() as AddressInfo,
        close: (graceMs) => closeGracefully(server, graceMs),
      });
    });
  });
}

function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // A keep-alive connection becomes idle only when its in-flight request is answered, after close() began, and
    // close() waits for it; so answers during the drain say "Connection: close", and idle sockets are swept often.
    server.on("request", (_req, res) => {
      if (!res.headersSent) res.setHeader("Connection", "close");
    });
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
