-- policyserv-ts 104: federation /send transactions already answered, so a retried txnId gets the same answer.
CREATE TABLE processed_transactions (
    origin TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    response JSONB NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (origin, txn_id)
);
CREATE INDEX processed_transactions_processed_at ON processed_transactions (processed_at);
