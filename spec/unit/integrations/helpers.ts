/** Shared test wiring: safe fetches over the fakes (open or with the default network lists) and a recording logger. */
import { ALLOW_ALL_NETWORKS, createSafeFetch, defaultNetworkPolicy, staticResolver, type SafeFetch } from "../../../src/federation/index.js";
import { TEST_CERT } from "../federation/tls-fixture.js";

const resolver = staticResolver({ hosts: { "hs.test": ["127.0.0.1"] } });

/** Every address allowed (the fakes live on loopback), the test CA trusted. */
export function openFetch(): SafeFetch {
  return createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver, ca: TEST_CERT });
}

/** The production default network lists, which deny loopback: the "denied address" case. */
export function strictFetch(): SafeFetch {
  return createSafeFetch({ policy: defaultNetworkPolicy(), resolver, ca: TEST_CERT });
}

export interface LogLine {
  readonly level: string;
  readonly fields: unknown;
  readonly message: string;
}

/** A logger stub recording every line, with the pino methods the integrations use. */
export function recordingLogger(): { lines: LogLine[] } & Record<"info" | "warn" | "error" | "debug", (a: unknown, b?: string) => void> & {
  child: () => unknown;
} {
  const lines: LogLine[] = [];
  const at = (level: string) => (a: unknown, b?: string) =>
    lines.push(typeof a === "string" ? { level, fields: {}, message: a } : { level, fields: a, message: b ?? "" });
  const logger = { lines, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug"), child: () => logger };
  return logger;
}

export const noSleep = (): Promise<void> => Promise.resolve();
