#!/usr/bin/env node
/**
 * The composition root: the only module that sees every part. Order: config → logger → database (embedded when
 * PS_DATABASE is unset) → migrations → keys → actor runtime → federation → HTTP listeners → signals.
 */
import { startPolicyRuntime } from "../actors/system.js";
import { standardPipelineSteps } from "../actors/standard-pipeline-steps.js";
import { RoomDirectory } from "./app/room-directory.js";
import { wireCrossProcessSignals } from "./app/cross-process.js";
import { registerRuntimeGauges } from "./app/runtime-gauges.js";
import { storageRuntimePorts, TrustCache } from "./app/runtime-ports.js";
import { packageVersion } from "./app/version.js";
import type { AppConfig } from "./config/app-config.js";
import { effectiveCommunityConfig, instanceFilterSettings } from "./config/layering.js";
import { loadConfig, readProcessEnv } from "./config/load.js";
import {
  FederationClient,
  Keyring,
  createDiscovery,
  createNetworkPolicy,
  createSafeFetch,
  notaryFromConfig,
  systemResolver,
} from "./federation/index.js";
import { assertUniqueFilterNames, FILTERS } from "./filters/registry.js";
import { bindFilterServices } from "./integrations/bind-filter-services.js";
import { createIntegrations } from "./integrations/create-integrations.js";
import { createHttpApp } from "./http/app.js";
import { listen, type RunningServer } from "./http/listen.js";
import { createOpsApp } from "./http/ops-app.js";
import { createPprofApp } from "./http/pprof-app.js";
import { adminRouter } from "./http/routes/admin/admin-router.js";
import { communityApiRouter } from "./http/routes/community-api.js";
import { createEventFetcher } from "./http/routes/community-api-event-fetch.js";
import { devicesRouter } from "./http/routes/devices.js";
import { policyRouter } from "./http/routes/policy.js";
import { createTransactionMetrics, transactionsRouter } from "./http/routes/transactions.js";
import { serverInfoRouter, type SupportContact } from "./http/routes/server-info.js";
import { loadOrCreateKeys } from "./keys/load-or-create.js";
import { encodeBase64 } from "./matrix/base64.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createHttpMetrics, createRegistry } from "./observability/metrics.js";
import { openDatabase, type Database } from "./storage/database.js";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./storage/embedded.js";
import { migrate } from "./storage/migrate.js";
import { readMigrations } from "./storage/migration-files.js";
import { createPubSub } from "./storage/pubsub.js";
import { startSharedRateCounter } from "./rate/shared-rate-counter.js";
import { createRateBatchesRepo } from "./storage/rate-events.repo.js";
import { verifyEvent } from "./policy/service.js";
import {
  createBackgroundWork,
  createJoiner,
  createStateLearner,
  ensureDefaultCommunity,
  learnedStateHook,
  startStartupJoins,
} from "./rooms/index.js";
import { createRepositories } from "./storage/repositories.js";
import { serverKeyStore } from "./storage/server-keys.repo.js";

const SHUTDOWN_GRACE_MS = 10_000;
const TRUST_REFRESH_MS = 60_000;

/** Whether the process is shutting down; `/ready` reports it so a load balancer stops sending traffic. */
interface Lifecycle {
  stopping: boolean;
}

/** Exit codes: 0 clean stop, 1 fatal start-up failure, 2 bad configuration. */
async function main(): Promise<number> {
  const loaded = loadConfig(readProcessEnv());
  if (!loaded.ok) {
    for (const error of loaded.error) process.stderr.write(`policyserv: ${error.message}\n`);
    return 2;
  }
  const { config, warnings } = loaded.value;
  const logger = createLogger({ level: config.logLevel, pretty: config.logFormat === "pretty" });
  const version = packageVersion();
  logger.info({ version, serverName: config.server.homeserverName }, "policyserv starting");
  for (const warning of warnings) logger.warn(warning);

  const cleanups: (() => Promise<void>)[] = [];
  const lifecycle: Lifecycle = { stopping: false };
  const shutdown = async (): Promise<void> => {
    lifecycle.stopping = true;
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, "error during shutdown"));
    }
  };
  try {
    const started = await start(config, logger, version, cleanups, lifecycle);
    if (!started) {
      await shutdown();
      return 1;
    }
  } catch (error) {
    logger.fatal({ err: error }, "start-up failed");
    await shutdown();
    return 1;
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "shutting down: no new requests, finishing in-flight ones");
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await shutdown();
  logger.info("stopped");
  return 0;
}

/** Starts everything; pushes a cleanup per started part. Returns false (after logging why) on a fatal problem. */
async function start(
  config: AppConfig,
  logger: Logger,
  version: string,
  cleanups: (() => Promise<void>)[],
  lifecycle: Lifecycle,
): Promise<boolean> {
  // The operator listener closes last (cleanups run in reverse), so `/ready` answers 503 through the whole drain.
  const opsServers: RunningServer[] = [];
  cleanups.push(async () => {
    await Promise.all(opsServers.map((server) => server.close(SHUTDOWN_GRACE_MS)));
  });
  const db = await openStorage(config, logger, cleanups);
  if (db === undefined) return false;

  const migrations = readMigrations(config.database.migrationsDir);
  if (!migrations.ok) {
    logger.fatal({ dir: config.database.migrationsDir }, migrations.error);
    return false;
  }
  const migrated = await migrate(db.sql, migrations.value, logger);
  if (!migrated.ok) {
    logger.fatal({ err: migrated.error.cause }, `database migration failed: ${migrated.error.message}`);
    return false;
  }

  const keys = await loadOrCreateKeys(config.keys, {
    generateMissing: config.database.url === undefined,
    logger: { info: (message) => logger.info(message) },
  });
  if (!keys.ok) {
    logger.fatal(keys.error.message);
    return false;
  }
  const { serverKey, eventKey } = keys.value;
  const eventPublicKey = encodeBase64(eventKey.publicKey);
  logger.info({ serverKeyId: serverKey.keyId, eventPublicKey }, "signing keys loaded");

  assertUniqueFilterNames(FILTERS);
  const registry = createRegistry();
  const repos = createRepositories(db);
  const trust = new TrustCache(repos, config.filters.mjolnirRoomId, logger);
  await trust.refresh();
  const trustTimer = setInterval(() => void trust.refresh(), TRUST_REFRESH_MS);
  trustTimer.unref();
  cleanups.push(async () => clearInterval(trustTimer));

  const resolver = systemResolver();
  const policy = createNetworkPolicy(config.federation.allowedNetworks, config.federation.deniedNetworks);
  const safeFetch = createSafeFetch({ policy, resolver, userAgent: `policyserv/${version}` });
  const integrations = createIntegrations({
    config,
    fetch: safeFetch,
    repos,
    logger,
    metrics: registry,
    onTrustDataChanged: () => trust.refresh(),
  });
  cleanups.push(() => integrations.stop());

  const rates = startSharedRateCounter({
    store: createRateBatchesRepo(db.sql),
    listen: (channel, handler, options) => db.listen(channel, handler, options),
    logger,
    now: Date.now,
  });
  cleanups.push(() => rates.stop());
  const instance = instanceFilterSettings(config);
  const runtime = startPolicyRuntime({
    rates,
    ports: storageRuntimePorts(repos, trust, logger),
    registry: bindFilterServices(FILTERS, integrations.filterServices),
    runModerationJob: integrations.runModerationJob,
    runWebhookJob: integrations.runWebhookJob,
    steps: standardPipelineSteps,
    communityDefaults: config.communityDefaults,
    instance,
    effectiveConfig: effectiveCommunityConfig,
    logger,
    metrics: registry,
    pools: { processing: config.pools.processing, moderation: config.pools.moderation, webhooks: config.pools.webhook },
  });
  cleanups.push(() => runtime.stop(SHUTDOWN_GRACE_MS));
  const moderation = integrations.createHooks({
    submitRedaction: (job) => runtime.moderation.submit(job),
    submitWebhook: (job) => runtime.webhooks.submit(job),
  });
  registerRuntimeGauges(registry, runtime);

  const rooms = new RoomDirectory(repos.rooms);
  const pubsub = createPubSub(db, logger);

  const discovery = createDiscovery({ fetch: safeFetch, resolver, overrides: config.federation.hostOverrides });
  const client = new FederationClient({
    serverName: config.server.homeserverName,
    signingKey: serverKey,
    discovery,
    fetch: safeFetch,
    logger,
  });
  const notary = notaryFromConfig(
    config.federation.keyQueryServer.serverName,
    config.federation.keyQueryServer.keyId,
    config.federation.keyQueryServer.publicKey,
  );
  if (!notary.ok) {
    logger.fatal(`PS_KEY_QUERY_SERVER: ${notary.error}`);
    return false;
  }
  const keyring = new Keyring({
    serverName: config.server.homeserverName,
    ownKeys: [serverKey],
    client,
    store: serverKeyStore(repos.serverKeys),
    notary: notary.value,
    sources: config.federation.directKeyFetching ? ["direct", "notary"] : ["notary", "direct"],
    logger,
  });
  const getKey = keyring.keyLookup();

  // Learned state reaches the room actors (and storage) through the runtime; ban rules go to their table.
  const onLearned = learnedStateHook((roomId, facts) => runtime.learnRoomState(roomId, facts), repos.roomState);
  const joinRoom = createJoiner({
    client,
    getKey,
    signingKey: serverKey,
    repos,
    config: {
      homeserverName: config.server.homeserverName,
      joinServer: config.federation.joinServer,
      joinLocalpart: config.federation.joinLocalpart,
    },
    now: Date.now,
    logger,
    onLearned: async (roomId, facts, banRules) => {
      const saved = await onLearned(roomId, facts, banRules);
      if (roomId === config.filters.mjolnirRoomId) await trust.refresh();
      return saved;
    },
    pingServers: [config.federation.joinServer, config.federation.keyQueryServer.serverName],
  });
  const joinAndRemember: typeof joinRoom = async (roomId, communityId) => {
    const joined = await joinRoom(roomId, communityId);
    if (joined.ok) {
      rooms.invalidate(roomId);
      // A new rooms row fires no trigger; tell the other processes so none keeps it cached as unprotected.
      const announced = await pubsub.publishRoomCommunityChanged(roomId);
      if (!announced.ok) logger.warn({ roomId, error: announced.error.message }, "could not announce a joined room");
    }
    return joined;
  };
  const learner = createStateLearner({
    client,
    repos,
    config: {
      trustedOrigins: config.federation.trustedOrigins,
      stateCacheMinutes: config.federation.stateCacheMinutes,
      stateCacheIntervalMinutes: config.federation.stateCacheIntervalMinutes,
    },
    now: Date.now,
    logger,
    onLearned,
  });
  learner.start();
  cleanups.push(() => learner.stop());
  const considerForLearning = (trigger: Parameters<typeof learner.considerEvent>[0]): void => {
    void learner.considerEvent(trigger).then((queued) => {
      if (!queued.ok)
        logger.warn({ roomId: trigger.pdu.roomId, error: queued.error }, "could not queue state learning");
    });
  };
  const background = createBackgroundWork({
    concurrency: 32,
    maxQueued: 5000,
    onError: (error) => logger.error({ err: error }, "background transaction work failed"),
  });
  cleanups.push(() => background.idle());
  const startupJoins = startStartupJoins({
    roomIds: config.federation.joinRoomIds,
    join: joinAndRemember,
    rooms: repos.rooms,
    ensureDefaultCommunity: () => ensureDefaultCommunity(db.sql),
    logger,
  });
  cleanups.push(() => startupJoins.stop());

  const reloadAllCommunities = async (): Promise<void> => {
    const all = await repos.communities.list();
    if (!all.ok) return logger.warn({ error: all.error.message }, "could not list communities to reload templates");
    await Promise.all(all.value.map((community) => runtime.reloadCommunity(community.id)));
  };
  const unlisten = await wireCrossProcessSignals({
    pubsub,
    hellbans: repos.hellbans,
    logger,
    targets: {
      reloadCommunity: (communityId) => runtime.reloadCommunity(communityId),
      reloadAllCommunities,
      hellbanNotified: (communityId, userId) => runtime.hellbanNotified(communityId, userId),
      invalidateRoom: (roomId) => rooms.invalidate(roomId),
      forgetAllRooms: () => rooms.clear(),
    },
  });
  cleanups.push(unlisten);

  const app = createHttpApp({
    logger,
    metrics: createHttpMetrics(registry),
    routers: [
      serverInfoRouter({
        serverName: config.server.homeserverName,
        serverKey,
        eventPublicKey,
        version,
        support: { supportPage: config.support.url ?? "", contacts: supportContacts(config) },
        now: Date.now,
      }),
      policyRouter({
        serverName: config.server.homeserverName,
        eventKey,
        rooms,
        getKey,
        checker: runtime,
        onVerdict: (event) => {
          considerForLearning({ pdu: event.pdu, roomVersion: event.room.roomVersion, verdict: event.verdict });
          moderation.onVerdict(event);
        },
      }),
      transactionsRouter({
        onProhibited: (event) => moderation.onProhibited(event),
        serverName: config.server.homeserverName,
        getKey,
        rooms,
        checker: runtime,
        background,
        logger,
        learner,
        transactions: repos.transactions,
        metrics: createTransactionMetrics(registry),
      }),
      devicesRouter({ serverName: config.server.homeserverName, getKey }),
      adminRouter({
        apiKey: config.apiKey,
        repos,
        communityDefaults: config.communityDefaults,
        instance,
        logger,
        joinRoom: joinAndRemember,
        hooks: {
          onCommunityChanged: async (communityId) => {
            await runtime.reloadCommunity(communityId);
          },
          onTemplatesChanged: async () => {
            await reloadAllCommunities();
            const announced = await pubsub.publishKeywordTemplatesChanged();
            if (!announced.ok) logger.warn({ error: announced.error.message }, "could not announce template changes");
          },
          onTrustDataChanged: () => trust.refresh(),
        },
      }),
      communityApiRouter({
        repos,
        communityDefaults: config.communityDefaults,
        instance,
        logger,
        joinRoom: joinAndRemember,
        checker: runtime,
        fetchEvent: createEventFetcher({
          servers: config.federation.eventFetchServers,
          getEvent: (server, eventId) => client.getEvent(server, eventId),
          verify: (json) => verifyEvent(json, { rooms, getKey }),
          logger,
        }),
      }),
    ],
  });
  const servers: RunningServer[] = [];
  cleanups.push(async () => {
    await Promise.all(servers.map((server) => server.close(SHUTDOWN_GRACE_MS)));
  });
  const main = await listen(app.callback(), config.server.httpBind);
  servers.push(main);
  const ops = createOpsApp({
    registry,
    readiness: [
      async () => ({ name: "accepting", ok: !lifecycle.stopping, ...(lifecycle.stopping ? { detail: "shutting down" } : {}) }),
      async () => ({ name: "keys", ok: true }),
      async () => {
        const ready = await runtime.ready;
        return { name: "actors", ok: ready.ok, ...(ready.ok ? {} : { detail: ready.error }) };
      },
      () => databaseReadiness(db),
    ],
  });
  const opsServer = await listen(ops.callback(), config.server.metricsBind);
  opsServers.push(opsServer);
  const pprofServer =
    config.server.pprofBind === undefined
      ? undefined
      : await listen(createPprofApp().callback(), config.server.pprofBind);
  if (pprofServer !== undefined) opsServers.push(pprofServer);
  const where = (server: RunningServer | undefined): string =>
    server === undefined ? "off" : `${server.address.address}:${server.address.port}`;
  logger.info({ http: where(main), metrics: where(opsServer), pprof: where(pprofServer) }, "listening");
  return true;
}

async function openStorage(
  config: AppConfig,
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): Promise<Database | undefined> {
  let url = config.database.url;
  let embedded: EmbeddedDatabase | undefined;
  if (url === undefined) {
    logger.info(
      { dataDir: config.database.embeddedDataDir },
      "PS_DATABASE is not set: running on the embedded PostgreSQL (PGlite). Set PS_DATABASE for production.",
    );
    const started = await startEmbeddedDatabase({ dataDir: config.database.embeddedDataDir, logger });
    if (!started.ok) {
      logger.fatal(started.error);
      return undefined;
    }
    embedded = started.value;
    url = embedded.url;
    const stopEmbedded = embedded;
    cleanups.push(() => stopEmbedded.stop());
  }
  const db = openDatabase({
    url,
    ...(config.database.readUrl === undefined ? {} : { readUrl: config.database.readUrl }),
    maxOpen: config.database.maxOpenConns,
    maxIdle: config.database.maxIdleConns,
    readMaxOpen: config.database.readMaxOpenConns,
    readMaxIdle: config.database.readMaxIdleConns,
    embedded: embedded !== undefined,
    logger,
  });
  cleanups.push(() => db.close());
  return db;
}

async function databaseReadiness(db: Database): Promise<{ name: string; ok: boolean; detail?: string }> {
  try {
    await Promise.race([
      db.sql`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
    ]);
    return { name: "database", ok: true };
  } catch (error) {
    return { name: "database", ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function supportContacts(config: AppConfig): SupportContact[] {
  const toContact =
    (role: string) =>
    (contact: AppConfig["support"]["adminContacts"][number]): SupportContact =>
      contact.kind === "matrix_id" ? { matrix_id: contact.value, role } : { email_address: contact.value, role };
  return [
    ...config.support.adminContacts.map(toContact("m.role.admin")),
    ...config.support.securityContacts.map(toContact("m.role.security")),
  ];
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`policyserv: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
