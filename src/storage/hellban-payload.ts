import { err, ok, type Result } from "../result.js";

/** A hellban announcement: who is banned, where. */
export interface HellbanNotice {
  readonly communityId: string;
  readonly userId: string;
}

/**
 * Upstream's payload on `policyserv_hellban_by_community`: one record as Go's encoding/csv writes it,
 * `community,user\n`, quoting a field only when Go would (comma, quote, CR/LF, a leading space, or `\.`). An empty
 * community becomes `default`, as upstream does. Migration 101's trigger produces the same bytes.
 */
export function encodeHellbanPayload(notice: HellbanNotice): string {
  return `${csvField(notice.communityId === "" ? "default" : notice.communityId)},${csvField(notice.userId)}\n`;
}

/** Parses one payload (ours or a Go process's). Errors say what was wrong with the payload. */
export function decodeHellbanPayload(payload: string): Result<HellbanNotice, string> {
  const fields = parseCsvRecord(payload);
  if (!fields.ok) return err(`hellban payload ${JSON.stringify(payload)}: ${fields.error}`);
  if (fields.value.length !== 2) {
    return err(`hellban payload ${JSON.stringify(payload)}: expected 2 fields (community,user), got ${fields.value.length}`);
  }
  const [communityId = "", userId = ""] = fields.value;
  if (userId === "") return err(`hellban payload ${JSON.stringify(payload)}: empty user ID`);
  return ok({ communityId: communityId === "" ? "default" : communityId, userId });
}

// Go's unicode.IsSpace, which encoding/csv applies to a field's first rune.
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/u;

function csvField(field: string): string {
  if (field === "") return field;
  const needsQuotes = field === "\\." || /[,"\r\n]/.test(field) || LEADING_SPACE.test(field);
  return needsQuotes ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Parses exactly one CSV record (RFC 4180 quoting, as Go reads it), allowing one trailing line ending. */
function parseCsvRecord(text: string): Result<string[], string> {
  const body = text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (body[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= body.length) return err("unterminated quoted field");
        const ch = body[i] ?? "";
        if (ch === '"') {
          if (body[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      fields.push(value);
      if (i === body.length) return ok(fields);
      if (body[i] !== ",") return err(`unexpected character after a quoted field at ${i}`);
      i++;
    } else {
      const comma = body.indexOf(",", i);
      const value = comma === -1 ? body.slice(i) : body.slice(i, comma);
      if (value.includes('"')) return err('bare " in a field');
      if (/[\r\n]/.test(value)) return err("more than one record");
      fields.push(value);
      if (comma === -1) return ok(fields);
      i = comma + 1;
    }
  }
}
