import type { AudiencePolicy, LegacyAudienceClients } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { paths } from '../router.ts';
import { Link } from '../components/Link.tsx';

/**
 * Shown on the tenant settings page while the legacy audience policy is on and applications
 * relied on it lately: they are the ones strict would refuse, so they are named, with links.
 * `policy` is the page's saved setting: the usage report is read again after a save and, until
 * that answer arrives, still speaks of the policy before it, so both must say legacy.
 */
export function LegacyAudienceWarning({ tenant, policy, usage }: { tenant: string; policy: AudiencePolicy; usage: LegacyAudienceClients | undefined }) {
  if (!usage || policy !== 'legacy' || usage.audience_policy !== 'legacy') return null;
  const n = usage.clients.length;
  if (n === 0) {
    return (
      <div className="banner banner-warning">
        <span className="banner-icon" aria-hidden="true">!</span>
        <span className="banner-text" role="status">
          The legacy audience policy is on, but no application has needed it since {formatDateTime(usage.since)}. You can switch back to Strict.
        </span>
      </div>
    );
  }
  return (
    <div className="banner banner-warning banner-block" role="region" aria-label="Applications relying on the legacy audience policy">
      <span className="banner-icon" aria-hidden="true">!</span>
      <div className="banner-text">
        <p>
          <strong>
            {n === 1 ? '1 application relies' : `${n} applications rely`} on the legacy audience policy.
          </strong>{' '}
          Their client assertions name the token endpoint URL (or several audiences) instead of the issuer. Switching back to Strict would refuse them
          until they are updated.
        </p>
        <ul className="legacy-list">
          {usage.clients.map((c) => (
            <li key={c.client_id}>
              <Link href={paths.application(tenant, c.client_id)}>{c.name}</Link>
              <span className="cell-muted"> — last on {formatDateTime(c.last_legacy_audience_at)}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** Shown on an application's page while it relies on the legacy audience policy. */
export function AppLegacyAudienceWarning({ tenant, clientId, issuer, usage }: { tenant: string; clientId: string; issuer: string; usage: LegacyAudienceClients | undefined }) {
  const use = usage?.audience_policy === 'legacy' ? usage.clients.find((c) => c.client_id === clientId) : undefined;
  if (!use) return null;
  return (
    <div className="banner banner-warning" role="region" aria-label="Legacy audience">
      <span className="banner-icon" aria-hidden="true">!</span>
      <p className="banner-text">
        This application relies on the tenant’s legacy audience policy: its client assertions name the token endpoint URL as the audience (last on{' '}
        {formatDateTime(use.last_legacy_audience_at)}). Have it sign them with the audience <code className="mono">{issuer}</code>, so the tenant can go
        back to the safer Strict policy. <Link href={paths.settings(tenant)}>Tenant settings</Link>
      </p>
    </div>
  );
}
