import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import type { AuthorizationRequest, ResponseMode } from '../../domain/authorize-request.ts';
import type { LoginSession } from '../../store/login-sessions.ts';
import { formPostHtml, FORM_POST_SCRIPT } from './pages/login-page.ts';
import { sendPage } from './pages/layout.ts';

/**
 * Sends an authorization response (success or error) to the client's redirect_uri: a 302 with
 * the parameters added to its query (keeping the query it was registered with), or with
 * response_mode=form_post a page whose form posts them there. `iss` is always added (RFC 9207),
 * `state` exactly as received.
 */
export function sendAuthorizationResponse(
  reply: FastifyReply,
  target: { redirectUri: string; responseMode: ResponseMode; state: string | null },
  issuer: string,
  params: Record<string, string>,
): FastifyReply {
  const fields: Record<string, string> = { ...params, ...(target.state !== null && { state: target.state }), iss: issuer };
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (target.responseMode === 'form_post') {
    const origin = new URL(target.redirectUri).origin;
    return sendPage(reply, 200, formPostHtml(target.redirectUri, fields), { formTargets: [origin], scripts: [FORM_POST_SCRIPT] });
  }
  const url = new URL(target.redirectUri);
  for (const [k, v] of Object.entries(fields)) url.searchParams.append(k, v);
  return reply.redirect(url.href, 302);
}

/** Issues the code for a request the session satisfies and sends it to the client. */
export async function sendCode(
  services: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  request: AuthorizationRequest,
  session: LoginSession,
  sessionToken: string,
  now: number,
): Promise<FastifyReply> {
  const code = await services.authorization.issueCode(req.tenantCtx, request, session, sessionToken, now);
  return sendAuthorizationResponse(reply, request, req.tenantCtx.issuer, { code });
}
