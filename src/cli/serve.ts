import cluster from 'node:cluster';
import { loadConfig } from '../config.ts';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { buildServices, type Services } from '../services/index.ts';
import { buildApp } from '../http/app.ts';
import { DEFAULT_TENANT, ensureDefaultTenant } from '../services/tenants.ts';
import { loadDashboardFiles } from '../http/dashboard/static-files.ts';
import { followPublicUrl, type PublicUrlFollowed } from '../services/public-url.ts';
import { addNewManagementScopes } from '../services/management-scopes-upkeep.ts';
import { stopGracefully } from './graceful-shutdown.ts';
import { closeServer, listenForMetrics, scrapeCluster, scrapeRegistry, shareWithPrimary } from '../http/metrics-listener.ts';

/**
 * `signet serve [--workers N]`: one process, or a node:cluster primary with N workers sharing
 * the port. Workers are stateless; the database holds everything, including the jti store.
 */
export async function serve(opts: { workers: number }): Promise<void> {
  const config = loadConfig();
  if (opts.workers > 1 && cluster.isPrimary) {
    // Migrate, create the default tenant and bring signing keys up to date once, before workers race for it.
    const services = await buildServices(config);
    const created = await ensureDefaultTenant(services.store, services.box, config);
    const followed = await followPublicUrl(services.store, config);
    await bringUpToDate(services);
    const admins = (await services.store.admins.list()).length;
    await services.close();
    announce(config.publicUrl.href, created !== null, config.masterKeyGenerated, admins, followed);
    // With workers, the metrics port is the primary's: it sums every worker's registry per scrape.
    const metricsServer = config.metricsPort === undefined ? undefined : await listenForMetrics(scrapeCluster(), config.metricsPort, config.bind);
    for (let i = 0; i < opts.workers; i++) cluster.fork();
    cluster.on('exit', (w, code, signal) => {
      if (!shuttingDown) {
        console.error(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
        cluster.fork();
      }
    });
    let shuttingDown = false;
    const stop = () => {
      shuttingDown = true;
      if (metricsServer) void closeServer(metricsServer);
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }

  // Handlers first: a stop requested while starting up waits for the start, then closes cleanly.
  let started: Promise<{ app: FastifyInstance; services: Services; metricsServer?: Server }> | undefined;
  const shutdown = async () => {
    const running = await started?.catch(() => undefined);
    // The scrape listener first: it serves nothing a draining request needs.
    if (running?.metricsServer) await closeServer(running.metricsServer);
    process.exit(running ? await stopGracefully(running.app, running.services, config.shutdownTimeoutMs) : 0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());

  started = (async () => {
    const services = await buildServices(config);
    const created = cluster.isPrimary ? await ensureDefaultTenant(services.store, services.box, config) : null;
    // Workers were started by a primary that already did this.
    const followed = cluster.isPrimary ? await followPublicUrl(services.store, config) : undefined;
    if (cluster.isPrimary) await bringUpToDate(services);
    const admins = (await services.store.admins.list()).length;
    const app = await buildApp(services, {
      logger: { level: config.logLevel },
      https: config.tls,
      trustProxy: config.trustProxy,
    });
    await app.listen({ port: config.port, host: config.bind });
    let metricsServer: Server | undefined;
    if (cluster.isWorker) shareWithPrimary(services.metrics.registry);
    else if (config.metricsPort !== undefined) metricsServer = await listenForMetrics(scrapeRegistry(services.metrics.registry), config.metricsPort, config.bind);
    if (cluster.isPrimary) announce(config.publicUrl.href, created !== null, config.masterKeyGenerated, admins, followed);
    return { app, services, metricsServer };
  })();
  await started;
}

/** What earlier versions left behind: next signing keys and certificates, and Management API scopes added since. Idempotent. */
async function bringUpToDate(services: Services): Promise<void> {
  await services.store.signingKeys.upkeep(Date.now());
  await addNewManagementScopes(services.store);
}

function announce(url: string, createdDefault: boolean, generatedKey: boolean, admins: number, followed?: PublicUrlFollowed) {
  console.log(`Signet is serving the default tenant at ${url}`);
  if (followed) for (const line of publicUrlChanges(followed)) console.log(line);
  if (loadDashboardFiles() === null) console.log('The dashboard is not built: run `npm run build` (npm install does it) and restart.');
  else console.log(`Dashboard: ${url}dashboard/`);
  if (admins === 0) console.log('No dashboard admin yet. Create one: npx signet admins create you@example.com');
  if (generatedKey) console.log('Generated a master key in the data directory (mode 0600). Back it up: without it, stored secrets cannot be decrypted.');
  if (createdDefault) {
    console.log('Created the default tenant (plan enterprise). Its Management API credentials: npx signet tenants credentials default --json');
  }
}

/** What moved with the public URL on this start, in the banner: issuers change, so clients must be told. */
export function publicUrlChanges({ moved, blocked }: PublicUrlFollowed): string[] {
  const lines: string[] = [];
  const def = moved.find((m) => m.tenant === DEFAULT_TENANT);
  if (def) {
    lines.push(
      `The public URL changed: the default tenant's issuer is now ${def.to}${def.from ? ` (was ${def.from})` : ''}. ` +
        'Tokens and client assertions made for the old issuer are refused; clients must use the new one.',
    );
  }
  const others = moved.filter((m) => m.tenant !== DEFAULT_TENANT);
  if (others.length > 0) {
    const shown = others.slice(0, 5).map((m) => `${m.tenant} → ${m.to}`).join(', ');
    lines.push(`Tenant domains moved with it: ${shown}${others.length > 5 ? ` and ${others.length - 5} more` : ''} (custom domains stay as they are).`);
  }
  for (const b of blocked) lines.push(`Tenant ${b.tenant} stays at ${b.stays}: ${b.reason}.`);
  return lines;
}
