import { Router } from "@koa/router";
import type { Context } from "koa";
import { Counter, type Registry } from "prom-client";
import type { KeyLookup } from "../../matrix/index.js";
import type { TransactionsRepo } from "../../storage/transactions.repo.js";
import { createRecentResponses } from "../../rooms/recent-responses.js";
import { parseTransactionBody } from "../../rooms/transaction-body.js";
import {
  processTransaction,
  type PduOutcome,
  type ProcessTransactionDeps,
  type TransactionResponseBody,
} from "../../rooms/process-transaction.js";
import { authenticateFederation } from "../federation-auth.js";
import { readJsonBody } from "../json-body.js";
import { MatrixError } from "../matrix-error.js";
import { BODY_LIMITS } from "../raw-body.js";

/** Counters for `/send`; labels are the bounded `PduOutcome` values, never room or event IDs. */
export interface TransactionMetrics {
  readonly pdus: Counter<"outcome">;
  readonly duplicates: Counter<"source">;
}

/** Registers the `/send` counters on `registry`. */
export function createTransactionMetrics(registry: Registry): TransactionMetrics {
  return {
    pdus: new Counter({
      name: "policyserv_federation_transaction_pdus_total",
      help: "PDUs received in federation transactions, by how they were handled (dropped_overload: answered, not filtered)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "policyserv_federation_transaction_duplicates_total",
      help: "Retried federation transactions answered with the first answer, by where it was found",
      labelNames: ["source"],
      registers: [registry],
    }),
  };
}

/**
 * Dependencies of `transactionsRouter`. The composition root passes:
 * - `serverName` (`PS_HOMESERVER_NAME`) and `getKey` (the keyring) for X-Matrix and event signatures;
 * - `rooms` (the cached room directory, as for the policy routes) and `checker` (the actor runtime);
 * - `transactions` (`repos.transactions`) for idempotent retries across restarts and processes;
 * - `background` (`createBackgroundWork`, e.g. concurrency 32, maxQueued 5000), to be drained on shutdown;
 * - `learner` (`createStateLearner(...)`) and `onProhibited` (the future `redactIfNeeded`), both optional;
 * - `metrics` (`createTransactionMetrics(registry)`), optional.
 */
export interface TransactionsRouteDeps extends Omit<ProcessTransactionDeps, "count"> {
  readonly serverName: string;
  readonly getKey: KeyLookup;
  readonly transactions: Pick<TransactionsRepo, "get" | "save">;
  readonly metrics?: TransactionMetrics;
  /** Answers remembered in memory (per origin + txnId). Default 1024. */
  readonly recentLimit?: number;
}

/**
 * `PUT /_matrix/federation/v1/send/{txnId}` (federation.md §6bis, decisions §4b): 8 MiB body limit → strict JSON →
 * X-Matrix → envelope shape → per-PDU verification, with filtering in the background. A retried transaction (same
 * origin and txnId) gets the first answer again, from memory, from the database, or by joining the first attempt
 * still under way, and is not processed twice.
 */
export function transactionsRouter(deps: TransactionsRouteDeps): Router {
  const recent = createRecentResponses<unknown>(deps.recentLimit ?? 1024);
  const underWay = new Map<string, Promise<unknown>>();
  const processDeps: ProcessTransactionDeps = {
    ...deps,
    count: (outcome: PduOutcome) => deps.metrics?.pdus.inc({ outcome }),
  };

  const answer = async (origin: string, txnId: string, body: ReturnType<typeof parseTransactionBody>): Promise<unknown> => {
    if (!body.ok) throw new MatrixError("M_BAD_JSON", body.error);
    const stored = await deps.transactions.get(origin, txnId);
    if (stored.ok && stored.value !== null) {
      deps.metrics?.duplicates.inc({ source: "database" });
      return stored.value;
    }
    // Without the table we cannot tell a retry from a new transaction; processing again is safe (verdicts are
    // stored per event), so carry on rather than make the sender back off.
    if (!stored.ok) deps.logger.warn({ origin, error: stored.error.message }, "could not check for a retried transaction");
    const response: TransactionResponseBody = await processTransaction(body.value, origin, processDeps);
    if (body.value.edus.malformed > 0) {
      deps.logger.debug({ origin, malformed: body.value.edus.malformed }, "ignored malformed EDUs");
    }
    const saved = await deps.transactions.save(origin, txnId, response);
    if (!saved.ok) {
      deps.logger.warn({ origin, error: saved.error.message }, "could not record a processed transaction");
      return response;
    }
    // Another process may have finished the same transaction first: its answer is the one to keep giving.
    return saved.value ?? response;
  };

  const router = new Router();
  router.put("/_matrix/federation/v1/send/:txnId", async (ctx: Context) => {
    const json = await readJsonBody(ctx, BODY_LIMITS.transaction);
    const origin = await authenticateFederation(ctx, json, deps);
    const txnId = String(ctx["params"]?.txnId ?? "");
    const key = `${origin}\n${txnId}`;
    const remembered = recent.get(key);
    if (remembered !== undefined) {
      deps.metrics?.duplicates.inc({ source: "memory" });
      ctx.body = remembered;
      return;
    }
    let pending = underWay.get(key);
    if (pending === undefined) {
      pending = answer(origin, txnId, parseTransactionBody(json)).then((response) => {
        recent.set(key, response);
        return response;
      });
      const cleanup = (): void => void underWay.delete(key);
      pending.then(cleanup, cleanup);
      underWay.set(key, pending);
    } else deps.metrics?.duplicates.inc({ source: "in_flight" });
    ctx.status = 200;
    ctx.body = await pending;
  });
  return router;
}
