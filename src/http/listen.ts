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
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
