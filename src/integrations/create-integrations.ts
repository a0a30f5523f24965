/**
 * Builds every integration from the app config, for the composition root: the filter services (OpenAI, HMA,
 * media), the two pool job runners, the Muninn poller and, once the runtime exists, the moderation hooks. Each
 * integration is built only when its README variables enable it.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AppConfig } from "../config/app-config.js";
import type { SafeFetch } from "../federation/safe-fetch.js";
import type { FilterServices } from "../filters/types.js";
import { createHmaClient, createHmaMediaMatcher } from "./hma-client.js";
import { createIntegrationMetrics, type IntegrationMetrics } from "./integration-metrics.js";
import { createMediaDownloader } from "./media-downloader.js";
import { createModerationHooks, type CommunityLookup, type ModerationHooks, type Rejected } from "./moderation-hooks.js";
import { httpsBaseUrl, resolveModeratorClients, type ModeratorClient, type ModeratorLookup } from "./moderator-clients.js";
import { startMuninnPoller, type MuninnPoller, type MuninnStore } from "./muninn-poller.js";
import { createOpenAiModerator } from "./openai-client.js";
import { createModerationJobRunner, type RedactJob } from "./redaction-client.js";
import { createWebhookJobRunner, type NotifyJob } from "./webhook-sender.js";

export interface IntegrationsDeps {
  readonly config: Pick<AppConfig, "filters" | "media" | "webhooks" | "moderatorAccessTokens" | "communityDefaults">;
  /** The product's one outbound client (network lists, timeouts, size limits). */
  readonly fetch: SafeFetch;
  readonly repos: { readonly rooms: ModeratorLookup; readonly communities: CommunityLookup; readonly trustData: MuninnStore };
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Called after the Muninn poller stored a new directory (pass the trust cache's refresh). */
  readonly onTrustDataChanged?: () => void | Promise<void>;
  /** Overrides for tests: where a moderator domain's API lives, and plain-HTTP webhooks. */
  readonly moderatorBaseUrl?: (domain: string) => string;
  readonly allowHttpWebhooks?: boolean;
  /** Start the Muninn schedule (default true). */
  readonly pollMuninn?: boolean;
}

export interface Integrations {
  /** Bind into the filter registry with `bindFilterServices(FILTERS, integrations.filterServices)`. */
  readonly filterServices: Omit<FilterServices, "signal">;
  readonly runModerationJob: (job: RedactJob) => Promise<void>;
  readonly runWebhookJob: (job: NotifyJob) => Promise<void>;
  /** Resolves once every moderator token was checked (start-up does not wait for it). */
  readonly moderatorsReady: Promise<readonly ModeratorClient[]>;
  readonly muninn: MuninnPoller;
  readonly metrics: IntegrationMetrics;
  /** The hooks for `policyRouter`'s `onVerdict` and `transactionsRouter`'s `onProhibited`, given the runtime's pools. */
  createHooks(pools: {
    readonly submitRedaction: (job: RedactJob) => Promise<Rejected>;
    readonly submitWebhook: (job: NotifyJob) => Promise<Rejected>;
  }): ModerationHooks;
  stop(): Promise<void>;
}

/** Builds the integrations; never rejects for a bad token or an unreachable service (those are logged). */
export function createIntegrations(deps: IntegrationsDeps): Integrations {
  const { config, fetch, logger } = deps;
  const metrics = createIntegrationMetrics(deps.metrics);
  const log = logger.child({ component: "integrations" });

  const media = createMediaDownloader({
    fetch,
    baseUrl: config.media.clientUrl,
    accessToken: config.media.accessToken,
    metrics,
  });
  const filterServices: { -readonly [K in keyof Omit<FilterServices, "signal">]: FilterServices[K] } = { media };
  if (config.filters.openai.apiKey !== undefined && config.filters.openai.apiKey !== "") {
    filterServices.openai = createOpenAiModerator({ fetch, apiKey: config.filters.openai.apiKey, metrics });
  }
  if (config.filters.hma.apiUrl !== undefined && config.filters.hma.apiUrl !== "") {
    const client = createHmaClient({ fetch, apiUrl: config.filters.hma.apiUrl, apiKey: config.filters.hma.apiKey, metrics });
    filterServices.hma = createHmaMediaMatcher({ client, media });
  }

  let moderators: readonly ModeratorClient[] = [];
  const moderatorsReady = resolveModeratorClients({
    tokens: config.moderatorAccessTokens,
    fetch,
    logger: log,
    baseUrl: deps.moderatorBaseUrl ?? httpsBaseUrl,
    metrics,
  }).then(({ clients }) => (moderators = clients));

  const webhookRules = { allowedDomains: config.webhooks.allowedDomains, allowHttp: deps.allowHttpWebhooks === true };
  const muninn = startMuninnPoller({
    fetch,
    url: deps.pollMuninn === false ? undefined : config.filters.muninn.apiUrl,
    apiKey: config.filters.muninn.apiKey,
    store: deps.repos.trustData,
    logger: log,
    metrics,
    ...(deps.onTrustDataChanged === undefined ? {} : { onUpdated: deps.onTrustDataChanged }),
  });

  return {
    filterServices,
    runModerationJob: createModerationJobRunner({ fetch, rooms: deps.repos.rooms, clients: () => moderators, logger: log, metrics }),
    runWebhookJob: createWebhookJobRunner({ fetch, logger: log, metrics, ...webhookRules }),
    moderatorsReady,
    muninn,
    metrics,
    createHooks: (pools) =>
      createModerationHooks({
        rooms: deps.repos.rooms,
        communities: deps.repos.communities,
        defaultWebhookUrl: config.communityDefaults.webhook_url,
        webhookRules,
        moderators: () => moderators,
        submitRedaction: pools.submitRedaction,
        submitWebhook: pools.submitWebhook,
        logger: log,
        metrics,
      }),
    stop: () => muninn.stop(),
  };
}
