-- Upstream 05: replace the CSV verdict columns with a spam flag and a JSON object of confidence vectors.
-- Existing rows are converted in place: any code mentioning spam/unsure/reject marks the event as spam, and each
-- non-blank reason becomes a vector with confidence 1.
ALTER TABLE events ADD COLUMN is_probably_spam BOOLEAN NULL;
ALTER TABLE events ADD COLUMN confidence_vectors TEXT NULL;

UPDATE events
   SET is_probably_spam = (codes_csv LIKE '%spam%' OR codes_csv LIKE '%unsure%' OR codes_csv LIKE '%reject%');

UPDATE events AS e
   SET confidence_vectors = COALESCE(
       (SELECT jsonb_object_agg(btrim(r.reason, E' \n\r\t'), 1.0)::text
          FROM unnest(string_to_array(e.reasons_csv, ',')) AS r(reason)
         WHERE btrim(r.reason, E' \n\r\t') <> ''),
       '{}');

ALTER TABLE events DROP COLUMN reasons_csv;
ALTER TABLE events DROP COLUMN codes_csv;
ALTER TABLE events ALTER COLUMN is_probably_spam SET NOT NULL;
ALTER TABLE events ALTER COLUMN confidence_vectors SET NOT NULL;
