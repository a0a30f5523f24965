import type { Result } from "../result.js";
import type { Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

export interface TransactionsRepo {
  /** The response already given to `(origin, txnId)`, or null when the transaction is new. */
  get(origin: string, txnId: string): Promise<Result<unknown, StorageError>>;
  /**
   * Records the response to a processed transaction. The first record wins, so concurrent retries of one
   * transaction converge on one answer, which is returned.
   */
  save(origin: string, txnId: string, response: unknown): Promise<Result<unknown, StorageError>>;
  /** Forgets transactions processed more than `olderThanMs` ago; returns how many. */
  prune(olderThanMs: number): Promise<Result<number, StorageError>>;
}

/** Processed federation `/send` transactions (`processed_transactions`, migration 104), for idempotent retries. */
export function createTransactionsRepo(sql: Sql): TransactionsRepo {
  return {
    get: (origin, txnId) =>
      attempt(`get transaction ${txnId} from ${origin}`, async () => {
        const [row] = await sql`SELECT response FROM processed_transactions WHERE origin = ${origin} AND txn_id = ${txnId}`;
        return row === undefined ? null : (row["response"] as unknown);
      }),
    save: (origin, txnId, response) =>
      attempt(`save transaction ${txnId} from ${origin}`, async () => {
        const [row] = await sql`
          INSERT INTO processed_transactions (origin, txn_id, response) VALUES (${origin}, ${txnId}, ${sql.json(response as never)})
          ON CONFLICT (origin, txn_id) DO NOTHING RETURNING response`;
        if (row !== undefined) return row["response"] as unknown;
        const [existing] = await sql`SELECT response FROM processed_transactions WHERE origin = ${origin} AND txn_id = ${txnId}`;
        return existing?.["response"] as unknown;
      }),
    prune: (olderThanMs) =>
      attempt("prune processed transactions", async () => {
        const result = await sql`
          DELETE FROM processed_transactions WHERE processed_at < NOW() - ${olderThanMs}::float8 * INTERVAL '1 millisecond'`;
        return result.count;
      }),
  };
}
