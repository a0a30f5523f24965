/**
 * PostgreSQL transaction snapshots (`txid_current_snapshot()`, text form `xmin:xmax:xip1,xip2,…`), used to fold
 * other processes' counted events in exactly once: a reload reads the table under a snapshot, and a notification
 * whose transaction that snapshot already saw is skipped, while one it did not see is applied.
 */
import { err, ok, type Result } from "../result.js";

/** A parsed snapshot. Transaction IDs are 64-bit (epoch-extended), hence bigint. */
export interface TxidSnapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly inProgress: ReadonlySet<bigint>;
}

const TXID = /^\d{1,20}$/;

/** Parses the text form; the error names what is malformed. */
export function parseTxidSnapshot(text: string): Result<TxidSnapshot, string> {
  const parts = text.split(":");
  if (parts.length !== 3) return err(`transaction snapshot ${JSON.stringify(text)} is not xmin:xmax:xip-list`);
  const [xminText = "", xmaxText = "", xipText = ""] = parts;
  if (!TXID.test(xminText) || !TXID.test(xmaxText)) {
    return err(`transaction snapshot ${JSON.stringify(text)} has a non-numeric xmin or xmax`);
  }
  const inProgress = new Set<bigint>();
  if (xipText !== "") {
    for (const id of xipText.split(",")) {
      if (!TXID.test(id)) return err(`transaction snapshot ${JSON.stringify(text)} lists a non-numeric transaction`);
      inProgress.add(BigInt(id));
    }
  }
  return ok({ xmin: BigInt(xminText), xmax: BigInt(xmaxText), inProgress });
}

/**
 * Whether a committed transaction's effects are visible in the snapshot: it finished before the snapshot was
 * taken (below xmin, or below xmax and not in progress at the time).
 */
export function visibleInSnapshot(txid: bigint, snapshot: TxidSnapshot): boolean {
  if (txid < snapshot.xmin) return true;
  if (txid >= snapshot.xmax) return false;
  return !snapshot.inProgress.has(txid);
}
