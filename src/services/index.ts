import type { Config } from '../config.ts';
import { SecretBox } from '../domain/secret-box.ts';
import { openStore, type Store } from '../store/index.ts';
import { checkMasterKey } from '../store/sealed-columns.ts';
import { TenantDirectory } from './tenant-directory.ts';
import { ClientAuthCache } from './client-auth-cache.ts';
import { ClientAuthenticator } from './client-auth/index.ts';
import { UsageRecorder } from './usage-recorder.ts';
import { AdminAuth } from './admin-auth.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { LogRetention } from './log-retention.ts';
import { Authorization } from './authorization.ts';
import { GrantRegistry } from './grants/registry.ts';
import { apiTokenSigning } from './api-token-signing.ts';
import { PasswordHasher } from './password-hasher.ts';
import { UserService } from './users.ts';
import { RateLimiter } from './rate-limiter.ts';
import { Metrics } from './metrics.ts';
import { ReadinessProbe } from './readiness.ts';

/** Everything a Signet process runs on, built once from config (the composition root). */
export interface Services {
  config: Config;
  box: SecretBox;
  store: Store;
  directory: TenantDirectory;
  cache: ClientAuthCache;
  authenticator: ClientAuthenticator;
  /** The token endpoint's grants, by grant_type. */
  grants: GrantRegistry;
  /** Credentials' last_used_at. */
  usage: UsageRecorder;
  /** Applications' last success that relied on the legacy audience policy. */
  legacyAudience: UsageRecorder;
  admins: AdminAuth;
  /** Each tenant's users (its database connection): accounts and the hosted login page's password check. */
  users: UserService;
  /** The one password-hashing worker pool, shared by admins and users. */
  hasher: PasswordHasher;
  logRetention: LogRetention;
  /** /authorize, login sessions and transactions, authorization codes. */
  authorization: Authorization;
  /** The time every decision reads (tests inject one they can move forward). */
  clock: Clock;
  /** Request rate limits (token endpoint per client and address, Management API per token). */
  limits: RateLimiter;
  /** This process's Prometheus registry and the counters every layer reports to. */
  metrics: Metrics;
  /** GET /readyz: the database, the replay store and the schema, each checked within a bound. */
  readiness: ReadinessProbe;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
}

export async function buildServices(config: Config, opts: ServiceOptions = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const box = new SecretBox(config.masterKey, config.otherMasterKeys);
  const metrics = new Metrics({ tenantLabels: config.metricsTenantLabels });
  const store = await openStore(config.databaseUrl, box, { redisUrl: config.redisUrl, logFlushMs: config.logFlushMs, observer: metrics });
  await checkMasterKey(store.db, box).catch(async (err) => {
    await store.close().catch(() => undefined);
    throw err;
  });
  metrics.watch(store);
  const directory = new TenantDirectory(store, config);
  const cache = new ClientAuthCache(store, box, clock, metrics.cache);
  const usage = new UsageRecorder((id, at) => store.credentials.markUsed([id], at));
  const legacyAudience = new UsageRecorder((clientId, at) => store.legacyAudience.markUsed(clientId, at));
  // One hashing worker for the process: admins' and users' passwords share it (and its bound).
  const hasher = new PasswordHasher();
  const admins = new AdminAuth(store, config.masterKey, hasher);
  const users = new UserService(store, hasher, clock);
  const logRetention = new LogRetention(store, { maxEventsPerTenant: config.logMaxEventsPerTenant });
  const purge = setInterval(() => {
    const now = clock();
    void store.replay.purgeExpired(now).catch(() => undefined);
    void admins.purge(now).catch(() => undefined);
    void users.purge(now).catch(() => undefined);
    void store.authorizationCodes.purgeExpired(now).catch(() => undefined);
    void store.loginSessions.purgeExpired(now).catch(() => undefined);
    void store.loginTransactions.purgeExpired(now).catch(() => undefined);
    void store.pushedRequests.purgeExpired(now).catch(() => undefined);
    void store.refreshTokens.purgeExpired(now).catch(() => undefined);
    void logRetention.purge(now).catch((err) => process.emitWarning(`Log retention purge failed: ${(err as Error).message}`));
  }, 60_000);
  purge.unref();
  return {
    config,
    box,
    store,
    directory,
    cache,
    authenticator: new ClientAuthenticator(store, cache),
    grants: new GrantRegistry({ store, clock, signingKey: (tenant, alg) => directory.signingKey(tenant.tenant, alg), apiSigning: (api) => apiTokenSigning(api, box), users, codes: store.authorizationCodes }),
    usage,
    legacyAudience,
    admins,
    users,
    hasher,
    logRetention,
    authorization: new Authorization(store, config.masterKey),
    clock,
    limits: new RateLimiter(clock, store.rateCounter),
    metrics,
    readiness: new ReadinessProbe(store),
    async close() {
      clearInterval(purge);
      await logRetention.idle();
      await admins.close();
      await hasher.close();
      await usage.close();
      await legacyAudience.close();
      await store.close();
    },
  };
}
