import { useState } from 'react';
import type { ResourceServer } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { paths, takeNotice } from '../router.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner, NoticeBanner } from '../components/Banner.tsx';
import { Badge } from '../components/Badge.tsx';
import { Link } from '../components/Link.tsx';
import { SkeletonRows } from '../components/Skeleton.tsx';
import { CreateApiDialog } from '../apis/CreateApiDialog.tsx';

export function ApisPage() {
  const { api, tenant } = useTenant();
  const apis = useLoad(() => api.listAll<ResourceServer>('/resource-servers'), [api]);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState(() => takeNotice());

  return (
    <div className="page">
      <PageHeader
        title="APIs"
        description="The APIs this tenant issues access tokens for, and the scopes they define."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <span aria-hidden="true">+</span> Create API
          </button>
        }
      />
      <NoticeBanner onDismiss={() => setNotice(null)}>{notice}</NoticeBanner>
      <ErrorBanner message={apis.error?.message} onRetry={apis.reload} />
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Identifier</th>
            </tr>
          </thead>
          <tbody aria-busy={apis.loading || undefined}>
            {apis.loading && !apis.data && <SkeletonRows rows={3} columns={2} />}
            {apis.data?.map((a) => (
              <tr key={a.id}>
                <td>
                  <span className="cell-with-badge">
                    <Link className="table-link" href={paths.api(tenant.name, a.id)}>
                      {a.name}
                    </Link>
                    {a.is_system && (
                      <Badge tone="accent" title="Managed by Signet; read-only">
                        System
                      </Badge>
                    )}
                  </span>
                </td>
                <td>
                  <code className="mono break">{a.identifier}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {apis.data && apis.data.length === 0 && (
          <div className="empty">
            <p className="empty-title">No APIs yet.</p>
          </div>
        )}
      </div>
      {creating && <CreateApiDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
