import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/index.ts';

/** Extra time, after connections are cut, for flushing and closing pools before giving up. */
const CLOSE_GRACE_MS = 5000;

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (answering 503 to
 * new requests on kept-alive connections), then flush buffered log events and usage and close
 * the pools. Requests still running after `timeoutMs` have their connections cut, so a stuck or
 * deliberately slow client cannot hold a deploy up. Returns the exit code: 0 when everything
 * finished in time, 1 when connections had to be cut.
 */
export async function stopGracefully(app: FastifyInstance, services: Services, timeoutMs: number): Promise<number> {
  let forced = false;
  const cut = setTimeout(() => {
    forced = true;
    app.server.closeAllConnections();
  }, timeoutMs);
  // If flushing or closing hangs too (a database that stopped answering), exit anyway.
  const giveUp = setTimeout(() => process.exit(1), timeoutMs + CLOSE_GRACE_MS);
  giveUp.unref();
  // A kept-alive connection whose request has just been answered goes idle: close it then,
  // rather than waiting for the client to hang up (server.close() alone closes only the
  // connections idle at the moment it is called).
  const idle = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
    clearInterval(idle);
  }
  await services.close();
  return forced ? 1 : 0;
}
