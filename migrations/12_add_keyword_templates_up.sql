-- Upstream 12: named keyword templates (Go text/template bodies, stored as raw text).
CREATE TABLE keyword_templates (
    name TEXT NOT NULL PRIMARY KEY,
    body TEXT NOT NULL
);
