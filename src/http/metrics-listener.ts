import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** A scrape: the exposition text and its content type. */
export type Scrape = () => Promise<{ contentType: string; body: string }>;

/** This process's registry as a scrape. */
export const scrapeRegistry =
  (registry: Registry): Scrape =>
  async () => ({ contentType: registry.contentType, body: await registry.metrics() });

/**
 * The node:cluster primary's scrape: every worker's registry, summed (counters and histograms
 * add up; each gauge has prom-client's aggregator, e.g. the sum of pool connections). Workers
 * answer over IPC once `shareWithPrimary` ran in them; a worker that does not answer within
 * prom-client's 5 s makes the scrape fail (500) rather than report a partial sum.
 */
export function scrapeCluster(): Scrape {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}

/** In a node:cluster worker: answer the primary's scrape requests with `registry`. */
export function shareWithPrimary(registry: Registry): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  // prom-client attaches the worker's IPC listener when an AggregatorRegistry is built.
  new AggregatorRegistry();
}

/**
 * SIGNET_METRICS_PORT: GET /metrics on a listener of its own, so the scrape can stay on a
 * private network while the main port faces the Internet. Nothing else is served there.
 */
export async function listenForMetrics(scrape: Scrape, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics.\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`Metrics could not be collected: ${err.message.slice(0, 200)}\n`),
    );
  });
  // Scrapers keep connections open; close() must not wait for them at shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
