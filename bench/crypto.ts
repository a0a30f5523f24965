// Throughput of the Matrix primitives on the hot path: `npm run bench:crypto`. Prints the median of 5 runs per
// figure; nothing here asserts on speed.
import { performance } from "node:perf_hooks";
import {
  computeEventId,
  encodeCanonicalJson,
  generateSigningKey,
  getRoomVersion,
  hashAndSignEvent,
  parseStrictJson,
  signatureOf,
  signJson,
  verifyJsonSignature,
  verifyJsonSignatureAsync,
  verifyKeyOf,
  type JsonObject,
} from "../src/matrix/index.js";

const RUNS = 5;
const IN_FLIGHT = 64;

const version = getRoomVersion("11");
if (!version.ok) throw new Error(version.error);
const roomVersion = version.value;
const key = generateSigningKey("bench");
const verifyKey = verifyKeyOf(key);

/** A realistic ~1 KiB m.room.message PDU. */
function typicalEvent(): JsonObject {
  const base: JsonObject = {
    type: "m.room.message",
    room_id: "!OGEhHVWSdvArJzumhm:matrix.org",
    sender: "@someone:example.org",
    origin_server_ts: 1_700_000_000_000,
    depth: 123_456,
    prev_events: ["$Vj7XVUnmFZcZrlw8Md7kMW3XA1YJDBA9Xnr2sVqXD9"],
    auth_events: [
      "$XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI",
      "$K8280U9SSy9IVtjBuVeLr-HpOB4BQFWbg-UZaADMtTd",
      "$KqmLSbO39_Bzb0QIYE82zqLwsA-PDzYIpIRA2sRQ4sL",
    ],
    content: {
      msgtype: "m.text",
      body: "Hello everyone! ".repeat(20) + "Ünïcödé and emoji 😀🎉",
      format: "org.matrix.custom.html",
      formatted_body: "<p>Hello <b>everyone</b>!</p>".repeat(6),
      "m.mentions": { user_ids: ["@other:example.org"] },
    },
    unsigned: { age: 1234 },
  };
  return hashAndSignEvent(base, roomVersion, "example.org", key);
}

const event = typicalEvent();
const eventText = JSON.stringify(event);
const signed = signJson(event, "example.org", key);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function measureSync(iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    rates.push(iterations / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

async function measureAsync(total: number, inFlight: number, fn: () => Promise<unknown>): Promise<number> {
  const once = async (count: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        await fn();
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  };
  await once(Math.min(500, total));
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    await once(total);
    rates.push(total / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

function line(label: string, rate: number): void {
  console.log(
    `${label.padEnd(44)} ${Math.round(rate).toLocaleString("en-US").padStart(10)} /s  ${(1e6 / rate).toFixed(1).padStart(8)} µs/op`,
  );
}

console.log(
  `event: ${Buffer.byteLength(encodeCanonicalJson(event))} bytes canonical, room version 11; median of ${RUNS} runs\n`,
);

const verifySync = measureSync(3000, () => {
  if (!verifyJsonSignature(signed, "example.org", key.keyId, verifyKey)) throw new Error("verification failed");
});
line("verifyJsonSignature (sync)", verifySync);
const verifyAsync = await measureAsync(6000, IN_FLIGHT, async () => {
  if (!(await verifyJsonSignatureAsync(signed, "example.org", key.keyId, verifyKey)))
    throw new Error("verification failed");
});
line(`verifyJsonSignatureAsync (${IN_FLIGHT} in flight)`, verifyAsync);
line(
  "signatureOf (sign)",
  measureSync(5000, () => signatureOf(event, key)),
);
line(
  "encodeCanonicalJson (1 KiB event)",
  measureSync(20000, () => encodeCanonicalJson(event)),
);
line(
  "computeEventId (redact + canonical + sha256)",
  measureSync(20000, () => computeEventId(event, roomVersion)),
);
line(
  "parseStrictJson (1 KiB event text)",
  measureSync(20000, () => parseStrictJson(eventText)),
);

const faster = verifyAsync > verifySync ? "async (thread pool)" : "sync";
console.log(
  `\nUnder load the ${faster} verify path is faster: ${(Math.max(verifyAsync, verifySync) / Math.min(verifyAsync, verifySync)).toFixed(2)}× ` +
    `(async also keeps the event loop free; UV_THREADPOOL_SIZE=${process.env["UV_THREADPOOL_SIZE"] ?? "4 (default)"}).`,
);
