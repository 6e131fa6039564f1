import { sessionApi, toApiError, type AuditEvent } from '../api.ts';
import { useLoad } from '../useLoad.ts';
import { formatDateTime } from '../format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { SkeletonRows } from '../components/Skeleton.tsx';

const LIMIT = 200;

const EVENT_LABELS: Record<string, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out: 'Signed out',
  admin_created: 'Admin created',
  admin_password_changed: 'Password changed',
  admin_deleted: 'Admin deleted',
};

const REASON_LABELS: Record<string, string> = {
  wrong_password: 'Wrong password',
  unknown_email: 'No admin with this email',
  too_many_attempts: 'Too many attempts (refused without checking the password)',
};

/**
 * The platform audit log: who signed in to this dashboard, from where, and changes to admin
 * accounts. It belongs to the platform, not to a tenant, so it is read with the session from
 * /dashboard/api/audit, never through a tenant's Management API.
 */
export function AuditPage({ csrf, onSessionEnded }: { csrf: string; onSessionEnded: () => void }) {
  const audit = useLoad(async () => {
    try {
      return await sessionApi.audit(csrf, LIMIT);
    } catch (err) {
      if (toApiError(err).status === 401) onSessionEnded();
      throw err;
    }
  }, [csrf]);

  return (
    <div className="page">
      <PageHeader title="Audit" description={`Dashboard sign-ins and admin account changes across the platform, newest first (the latest ${LIMIT}).`} />
      <div className="filters">
        <div className="filter filter-action">
          <button type="button" className="button button-secondary" onClick={audit.reload} disabled={audit.loading} aria-busy={audit.loading || undefined}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorBanner message={audit.error?.message} onRetry={audit.reload} />
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Date</th>
              <th scope="col">Admin</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody aria-busy={audit.loading || undefined} className={audit.loading && audit.data ? 'is-stale' : undefined}>
            {audit.loading && !audit.data && <SkeletonRows rows={5} columns={4} />}
            {audit.data?.map((e) => (
              <tr key={e.id} className={e.type === 'sign_in_failed' ? 'is-failure' : undefined}>
                <td>
                  {EVENT_LABELS[e.type] ?? e.type}
                  {e.reason && <span className="log-reason">{REASON_LABELS[e.reason] ?? e.reason}</span>}
                </td>
                <td className="cell-nowrap cell-muted">{formatDateTime(e.date)}</td>
                <td>{e.email ?? '—'}</td>
                <td className="cell-muted">{e.via === 'cli' ? 'Command line' : (e.ip ?? '—')}</td>
              </tr>
            ))}
            {audit.data?.length === 0 && (
              <tr>
                <td colSpan={4} className="cell-muted">
                  Nothing recorded yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
