import type { FastifyInstance } from 'fastify';
import { OAuthRequestError } from '../domain/errors.ts';

/**
 * application/x-www-form-urlencoded bodies as OAuth needs them: RFC 6749 §3.2 forbids a
 * parameter appearing twice, and a repeated `client_assertion` is a classic way to confuse
 * servers that read the first value in one place and the last in another.
 */
export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of new URLSearchParams(body as string)) {
      if (k in out) {
        done(repeatedParameterError(k), undefined);
        return;
      }
      out[k] = v;
    }
    done(null, out);
  });
}

/** The refusal of a parameter sent twice, whatever the body's content type. */
export function repeatedParameterError(name: string): OAuthRequestError {
  return new OAuthRequestError('invalid_request', `The parameter "${name.slice(0, 40)}" appears more than once.`);
}
