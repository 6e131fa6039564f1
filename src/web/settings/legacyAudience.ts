/**
 * The legacy audience policy in words for people, and the read behind the dashboard's warning:
 * which applications got tokens with an assertion only that policy accepts.
 */
import type { LegacyAudienceClients, ManagementApi } from '../api.ts';

export const loadLegacyAudienceClients = (api: ManagementApi) => api.get<LegacyAudienceClients>('/tenants/settings/legacy-audience-clients');

/** Why strict is the default, for the settings page (the audience injection attack, RFC 7523bis). */
export const STRICT_REASON =
  'A client assertion is a short-lived proof, signed with your application’s private key, that it is your application asking for a token. ' +
  'When the proof names an endpoint URL, or a list of audiences, a malicious server your application also talks to can advertise this tenant’s URL as one of its own endpoints, ' +
  'have your application sign a proof “for” it, and replay that proof here to get tokens as your application. ' +
  'A proof that names only this tenant’s issuer cannot be obtained that way, because client libraries check the issuer.';
