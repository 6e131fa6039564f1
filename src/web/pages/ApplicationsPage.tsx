import { useState } from 'react';
import type { Client } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { appTypeLabel } from '../format.ts';
import { paths, takeNotice } from '../router.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner, NoticeBanner } from '../components/Banner.tsx';
import { Link } from '../components/Link.tsx';
import { SkeletonRows } from '../components/Skeleton.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { AppTypeIcon } from '../applications/AppTypeIcon.tsx';
import { CreateApplicationDialog } from '../applications/CreateApplicationDialog.tsx';

export function ApplicationsPage() {
  const { api, tenant } = useTenant();
  const clients = useLoad(() => api.listClients(), [api]);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState(() => takeNotice());

  return (
    <div className="page">
      <PageHeader
        title="Applications"
        description="Applications that get tokens from this tenant, and how they authenticate."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <span aria-hidden="true">+</span> Create Application
          </button>
        }
      />
      <NoticeBanner onDismiss={() => setNotice(null)}>{notice}</NoticeBanner>
      <ErrorBanner message={clients.error?.message} onRetry={clients.reload} />
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="col-type">
                Type
              </th>
              <th scope="col">Client ID</th>
            </tr>
          </thead>
          <tbody aria-busy={clients.loading || undefined}>
            {clients.loading && !clients.data && <SkeletonRows rows={4} columns={3} />}
            {clients.data?.map((c: Client) => (
              <tr key={c.client_id}>
                <td>
                  <span className="cell-with-icon">
                    <AppTypeIcon type={c.app_type} />
                    <span className="cell-stack">
                      <Link className="table-link" href={paths.application(tenant.name, c.client_id)}>
                        {c.name}
                      </Link>
                      {/* On phones the Type column is folded in here. */}
                      <span className="cell-sub" aria-hidden="true">
                        {appTypeLabel(c.app_type)}
                      </span>
                    </span>
                  </span>
                </td>
                <td className="cell-muted col-type">{appTypeLabel(c.app_type)}</td>
                <td>
                  <span className="cell-copy">
                    <code className="mono truncate" title={c.client_id}>
                      {c.client_id}
                    </code>
                    <CopyButton text={c.client_id} label={`Copy Client ID of ${c.name}`} />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {clients.data && clients.data.length === 0 && (
          <div className="empty">
            <p className="empty-title">No applications yet.</p>
            <p className="empty-text">Create one to get a Client ID and start requesting tokens.</p>
          </div>
        )}
      </div>
      {creating && <CreateApplicationDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
