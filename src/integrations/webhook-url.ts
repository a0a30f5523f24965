/**
 * Which webhook URLs policyserv may POST to (filters.md §1.8, api_storage_config.md §6.1): HTTPS only, and the URL's
 * host, port included, must exactly equal an entry of `PS_ALLOWED_WEBHOOK_DOMAINS` (no suffix matching: a community
 * admin controls `webhook_url`, and the allow-list is what stops it aiming our server at arbitrary hosts). Checked
 * when a notification is queued and again when it is sent.
 */
import { err, ok, type Result } from "../result.js";

export interface WebhookUrlRules {
  readonly allowedDomains: readonly string[];
  /** Plain HTTP accepted; only for tests against a local receiver (upstream allowed it only under Go tests). */
  readonly allowHttp?: boolean;
}

/** The parsed URL when it may be used, else why not. */
export function checkWebhookUrl(url: string, rules: WebhookUrlRules): Result<URL, string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return err(`webhook URL ${JSON.stringify(url)} is not a valid URL`);
  }
  if (parsed.protocol !== "https:" && !(rules.allowHttp === true && parsed.protocol === "http:")) {
    return err(`webhook must be https: ${parsed.protocol.replace(/:$/, "")} URL refused`);
  }
  if (parsed.username !== "" || parsed.password !== "") return err("webhook URL must not carry credentials");
  if (!rules.allowedDomains.includes(parsed.host)) {
    return err(`webhook domain not allowed: ${JSON.stringify(parsed.host)} is not in PS_ALLOWED_WEBHOOK_DOMAINS`);
  }
  return ok(parsed);
}
