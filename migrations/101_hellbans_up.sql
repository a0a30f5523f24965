-- policyserv-ts 101: hellbans shared by every process (decisions §3.4). A row is the ban; it never extends itself:
-- writers insert, and only replace a row whose ban already expired. Each new or replaced ban is announced on
-- upstream's hellban channel with upstream's payload (a Go-style CSV record "community,user\n"), so Go processes
-- sharing the database learn it too.
CREATE TABLE hellbans (
    community_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX hellbans_expires_at ON hellbans (expires_at);

-- Quotes one CSV field exactly when Go's encoding/csv writer would (leading unicode.IsSpace rune included).
CREATE OR REPLACE FUNCTION ps_go_csv_field(field TEXT)
RETURNS TEXT AS $$
BEGIN
    IF field = '' THEN
        RETURN field;
    END IF;
    IF field = E'\\.' OR strpos(field, ',') > 0 OR strpos(field, '"') > 0
       OR strpos(field, E'\r') > 0 OR strpos(field, E'\n') > 0
       OR field ~ '^[\s\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]' THEN
        RETURN '"' || replace(field, '"', '""') || '"';
    END IF;
    RETURN field;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION notify_hellban()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('policyserv_hellban_by_community',
        ps_go_csv_field(COALESCE(NULLIF(NEW.community_id, ''), 'default')) || ',' || ps_go_csv_field(NEW.user_id) || E'\n');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ps_hellban_change
    AFTER INSERT OR UPDATE ON hellbans
    FOR EACH ROW EXECUTE FUNCTION notify_hellban();
