import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Admission, type Admitted, type AdmissionPolicy } from '../services/admission.ts';

/**
 * Overload protection for the whole app (see Admission for the policy): a request that may
 * not start is answered at once with 503 `temporarily_unavailable` and `Retry-After: 1`,
 * before tenant resolution or any other work, instead of joining a queue without bound.
 *
 * Operational routes (/healthz, /readyz, /metrics: `config.operational`) skip admission, so a
 * busy node still answers its load balancer's probes.
 */
export function registerLoadShedding(app: FastifyInstance, policy: AdmissionPolicy, opts: { onShed?: () => void } = {}): Admission {
  const admission = new Admission(policy, () => performance.now());
  const shed = (reply: FastifyReply) => {
    opts.onShed?.();
    return reply
      .code(503)
      .header('retry-after', '1')
      .header('cache-control', 'no-store')
      .send({ error: 'temporarily_unavailable', error_description: 'The server is busy; try again in a second.' });
  };
  // Callback-style: most requests are admitted at once, and an async hook would cost a promise and a microtask each.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (req.routeOptions.config.operational) return done();
    const admitted = admission.admit();
    if (!admitted) return void shed(reply);
    let closed = false;
    let slot: Admitted | undefined;
    // 'close' follows 'finish', and also comes when the client goes away first.
    reply.raw.once('close', () => {
      closed = true;
      slot?.release();
    });
    if (!(admitted instanceof Promise)) {
      slot = admitted;
      return done();
    }
    admitted.then((s) => {
      slot = s;
      // Refused after waiting in the queue (overload was detected meanwhile).
      if (!slot) return closed ? void reply.hijack() : void shed(reply);
      // A client that left while its request waited: its slot goes to the next one, its work is not done.
      if (closed) {
        slot.release();
        return void reply.hijack();
      }
      done();
    }, done);
  });
  return admission;
}

/**
 * The defaults (SIGNET_MAX_IN_FLIGHT sets `concurrency`): a burst may queue (up to 64 per
 * slot); once every request has waited over 50 ms for a whole second, arrivals that cannot
 * start at once are refused until a second passes in which none had to be. A burst of a few
 * hundred token requests at once (a fleet of clients starting together) drains within that
 * second on a busy two-core machine; overload does not drain at all.
 */
export function admissionPolicy(concurrency: number): AdmissionPolicy {
  return { concurrency, maxQueue: 64 * concurrency, targetMs: 50, intervalMs: 1000, holdMs: 1000 };
}
