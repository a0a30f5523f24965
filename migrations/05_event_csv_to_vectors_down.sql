ALTER TABLE events ADD COLUMN codes_csv TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN reasons_csv TEXT NOT NULL DEFAULT '';
ALTER TABLE events DROP COLUMN confidence_vectors;
ALTER TABLE events DROP COLUMN is_probably_spam;
