/**
 * The OpenAI moderation endpoint (`POST /v1/moderations` with `omni-moderation-latest`, filters.md §2.17) as a
 * TextModerator. Calls are bounded in number (a concurrency limit with a short waiting line) and in time, and never
 * retried: a check's budget is its deadline, and the filter decides what an error means (fail secure or not).
 */
import type { SafeFetch } from "../federation/safe-fetch.js";
import type { TextModeration, TextModerator } from "../filters/types.js";
import { err, ok, type Result } from "../result.js";
import { createConcurrencyLimit } from "./concurrency-limit.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { callService, malformed, parseJsonBody, serviceErrorLabel, type ServiceError } from "./service-call.js";

export const OPENAI_API_URL = "https://api.openai.com/v1";
export const OPENAI_MODERATION_MODEL = "omni-moderation-latest";

export interface OpenAiModeratorOptions {
  readonly fetch: SafeFetch;
  readonly apiKey: string;
  /** API base URL, default `https://api.openai.com/v1` (tests point it at a fake). */
  readonly baseUrl?: string;
  readonly model?: string;
  /** Deadline of one call (default 3 s, below the default 4 s filter deadline so the filter answers itself). */
  readonly timeoutMs?: number;
  /** Calls in flight at once (default 16) and calls allowed to wait for a slot (default 64). */
  readonly maxConcurrent?: number;
  readonly maxWaiting?: number;
  /** Largest response accepted (default 256 KiB; a real answer is about 2 KiB). */
  readonly maxResponseBytes?: number;
  readonly metrics?: IntegrationMetrics;
}

/**
 * Reads one moderation response: `{"results":[{"flagged":bool,"categories":{name:bool,…}},…]}`. Flagged if any result
 * is; the categories are the names set to true in flagged results, sorted. Anything else is malformed.
 */
export function parseModerationResponse(body: unknown): Result<TextModeration, string> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return err("the body is not a JSON object");
  const results = (body as Record<string, unknown>)["results"];
  if (!Array.isArray(results) || results.length === 0) return err("`results` must be a non-empty array");
  let flagged = false;
  const categories = new Set<string>();
  for (const [index, result] of results.entries()) {
    if (typeof result !== "object" || result === null || Array.isArray(result)) return err(`results[${index}] is not an object`);
    const entry = result as Record<string, unknown>;
    if (typeof entry["flagged"] !== "boolean") return err(`results[${index}].flagged must be a boolean`);
    const cats = entry["categories"];
    if (typeof cats !== "object" || cats === null || Array.isArray(cats)) return err(`results[${index}].categories must be an object`);
    if (!entry["flagged"]) continue;
    flagged = true;
    for (const [name, value] of Object.entries(cats as Record<string, unknown>)) if (value === true) categories.add(name);
  }
  return ok({ flagged, categories: [...categories].sort() });
}

/** Creates the moderator. The API key is required; an empty key means the filter is disabled and this is not built. */
export function createOpenAiModerator(options: OpenAiModeratorOptions): TextModerator {
  if (options.apiKey === "") throw new Error("the OpenAI moderator needs PS_OPENAI_FILTER_API_KEY");
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 16, options.maxWaiting ?? 64);
  const url = `${(options.baseUrl ?? OPENAI_API_URL).replace(/\/+$/, "")}/moderations`;
  const what = "OpenAI moderation";

  const call = async (text: string, signal: AbortSignal | undefined): Promise<Result<TextModeration, ServiceError>> => {
    const response = await callService(options.fetch, what, {
      url,
      method: "POST",
      headers: { Authorization: `Bearer ${options.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ input: text, model: options.model ?? OPENAI_MODERATION_MODEL }),
      timeoutMs: options.timeoutMs ?? 3_000,
      maxBodyBytes: options.maxResponseBytes ?? 256 * 1024,
      ...(signal === undefined ? {} : { signal }),
    });
    if (!response.ok) return response;
    const json = parseJsonBody(response.value, what);
    if (!json.ok) return json;
    const parsed = parseModerationResponse(json.value);
    return parsed.ok ? parsed : malformed(what, parsed.error);
  };

  return {
    async moderate(text, signal) {
      const ran = await limit.run(() => call(text, signal), signal);
      if (!ran.ok) {
        options.metrics?.calls.inc({ service: "openai", outcome: "limited" });
        return err(`${what}: ${ran.error}`);
      }
      const result = ran.value;
      options.metrics?.calls.inc({ service: "openai", outcome: result.ok ? "ok" : serviceErrorLabel(result.error) });
      return result.ok ? result : err(result.error.message);
    },
  };
}
