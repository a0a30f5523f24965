DROP TABLE processed_transactions;
