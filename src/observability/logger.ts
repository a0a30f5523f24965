import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  readonly level: string;
  /** Pretty output for a human at a terminal; JSON otherwise (the production default). */
  readonly pretty: boolean;
  /** Where to write; defaults to stdout. Tests pass a memory stream. */
  readonly destination?: DestinationStream;
}

/** Creates the root logger; everything else takes it (or a child) as a parameter. */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { name: "policyserv" },
    redact: { paths: ["*.accessToken", "*.apiKey", "*.authorization", "req.headers.authorization"], censor: "[redacted]" },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return pino(base);
}
