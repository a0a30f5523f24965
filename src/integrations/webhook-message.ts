/**
 * The body of a spam notification. It keeps upstream's Hookshot/Slack-style `{"html", "text"}` message (so existing
 * receivers keep rendering it) and adds `policyserv`, a structured object a bot can act on without scraping HTML:
 * event ID, room, sender, event type, harms, content class and the filters that fired.
 */
import type { ContentClass } from "../harms/content-info.js";

/** What the notifier knows about the flagged event and its verdict. */
export interface SpamNotice {
  readonly communityId: string;
  readonly eventId: string;
  readonly roomId: string;
  readonly sender: string;
  readonly eventType: string;
  readonly originServerTs: number;
  readonly content: unknown;
  readonly contentClass: ContentClass;
  readonly harms: readonly string[];
  /** Every filter that ran, in trace order. */
  readonly filters: readonly { readonly filter: string; readonly class: ContentClass; readonly harms: readonly string[] }[];
  /** When the verdict was reached (ms since the epoch). */
  readonly recordedAt: number;
}

/** The filter whose Prohibited answer means the sender is in a hellban. */
const HELLBAN_FILTER = "hellban_prefilter";

export const WEBHOOK_TEXT = "This event requires HTML.";

/** The structured part, stable field names in snake_case like the rest of the Matrix world. */
export interface WebhookStructured {
  readonly community_id: string;
  readonly event_id: string;
  readonly room_id: string;
  readonly sender: string;
  readonly event_type: string;
  readonly origin_server_ts: number;
  readonly recorded_ts: number;
  readonly content_class: ContentClass;
  readonly harms: readonly string[];
  /** Filters that answered Prohibited. */
  readonly fired: readonly { readonly filter: string; readonly harms: readonly string[] }[];
  readonly hellban: boolean;
}

export interface WebhookPayload {
  readonly html: string;
  readonly text: string;
  readonly policyserv: WebhookStructured;
  readonly [key: string]: unknown;
}

/** Builds the payload; pure (the clock is the notice's `recordedAt`). */
export function buildWebhookPayload(notice: SpamNotice): WebhookPayload {
  const fired = notice.filters.filter((f) => f.class === "Prohibited").map((f) => ({ filter: f.filter, harms: [...f.harms] }));
  const hellban = fired.some((f) => f.filter === HELLBAN_FILTER);
  return {
    html: renderHtml(notice, hellban),
    text: WEBHOOK_TEXT,
    policyserv: {
      community_id: notice.communityId,
      event_id: notice.eventId,
      room_id: notice.roomId,
      sender: notice.sender,
      event_type: notice.eventType,
      origin_server_ts: notice.originServerTs,
      recorded_ts: notice.recordedAt,
      content_class: notice.contentClass,
      harms: [...notice.harms],
      fired,
      hellban,
    },
  };
}

/** Upstream's report, in its order (api_storage_config.md §6.1), every dynamic value escaped. */
function renderHtml(notice: SpamNotice, hellban: boolean): string {
  const responses: Record<string, string[]> = {};
  for (const f of notice.filters) responses[f.filter] = [f.class, ...f.harms];
  const content = JSON.stringify(notice.content ?? {}, null, 2);
  const lines = [
    "A user has had an event of theirs flagged as spam by policyserv:",
    `<code>${escapeHtml(notice.sender)}</code>`,
    `Room: <code>${escapeHtml(notice.roomId)}</code> (<a href="https://matrix.to/#/${escapeHtml(encodeURIComponent(notice.roomId))}">matrix.to</a>)`,
  ];
  if (hellban) lines.push("<b>This was a hellban. More details are below.</b>", "<details><summary>Event info (click to expand)</summary>");
  lines.push(
    `Event ID: <code>${escapeHtml(notice.eventId)}</code> <i>(may not exist if the origin server rejected it)</i>`,
    `Event type: <code>${escapeHtml(notice.eventType)}</code>`,
    `Event timestamp: ${escapeHtml(rfc1123z(notice.originServerTs))}; recorded: ${escapeHtml(rfc1123z(notice.recordedAt))}`,
    `<details><summary>Filter responses (click to expand)</summary><pre><code>${escapeHtml(JSON.stringify(responses, null, 2))}</code></pre></details>`,
    `<details><summary>Event content (${Buffer.byteLength(content, "utf8")} bytes; click to expand)</summary><pre><code>${escapeHtml(content)}</code></pre></details>`,
  );
  if (hellban) lines.push("</details>");
  return lines.join("<br/>");
}

/** Escapes the five characters Go's html.EscapeString escapes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c] ?? c);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 1123 with a numeric zone (Go's RFC1123Z), in UTC so reports do not depend on the server's time zone. */
export function rfc1123z(ms: number): string {
  if (!Number.isFinite(ms)) return "invalid time";
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
