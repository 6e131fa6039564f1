import { useState } from 'react';
import { DangerZone } from '../components/DangerZone.tsx';
import { seg, type Client, type ClientGrant, type ResourceServer } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { appTypeLabel, isConfidential } from '../format.ts';
import { navigate, paths, takeNotice } from '../router.ts';
import { ErrorBanner, NoticeBanner } from '../components/Banner.tsx';
import { Badge } from '../components/Badge.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { Link } from '../components/Link.tsx';
import { SkeletonBlock } from '../components/Skeleton.tsx';
import { GrantEditor } from '../apis/GrantEditor.tsx';
import { ScopesSection } from '../apis/ScopesSection.tsx';

export function ApiPage({ id }: { id: string }) {
  const { api, tenant } = useTenant();
  const rs = useLoad(() => api.get<ResourceServer>(`/resource-servers/${seg(id)}`), [api, id]);
  const [notice, setNotice] = useState(() => takeNotice());
  const [deleting, setDeleting] = useState(false);

  const back = (
    <Link className="back-link" href={paths.apis(tenant.name)}>
      <span aria-hidden="true">←</span> All APIs
    </Link>
  );

  if (!rs.data) {
    return (
      <div className="page">
        {back}
        {rs.error ? (
          <>
            <h1 className="page-title">API</h1>
            <ErrorBanner message={rs.error.message} onRetry={rs.error.status === 404 ? undefined : rs.reload} />
          </>
        ) : (
          <SkeletonBlock lines={4} label="Loading the API…" />
        )}
      </div>
    );
  }

  const r = rs.data;
  return (
    <div className="page">
      {back}
      <div className="app-header">
        <div className="app-header-text">
          <div className="title-row">
            <h1 className="page-title">{r.name}</h1>
            {r.is_system && <Badge tone="accent">System</Badge>}
          </div>
          <div className="app-meta">
            <span className="app-meta-item app-meta-id">
              <span className="app-meta-label">Identifier</span>
              <code className="mono truncate" title={r.identifier}>
                {r.identifier}
              </code>
              <CopyButton text={r.identifier} label="Copy identifier" />
            </span>
          </div>
        </div>
      </div>
      <NoticeBanner onDismiss={() => setNotice(null)}>{notice}</NoticeBanner>
      {r.is_system && <p className="callout">This API is managed by Signet and is read-only.</p>}
      <div className="stack-lg">
        <ScopesSection resourceServer={r} onChanged={(next) => rs.setData(() => next)} />
        <MachineToMachineSection resourceServer={r} />
        {!r.is_system && (
          <DangerZone
            title="Delete this API"
            consequence="Applications can no longer get tokens for it. Tokens already issued stay valid until they expire."
            action="Delete API"
            onAction={() => setDeleting(true)}
          />
        )}
      </div>
      {deleting && (
        <ConfirmDialog
          title="Delete API?"
          confirmLabel="Delete"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.delete(`/resource-servers/${seg(r.id)}`);
            setDeleting(false);
            navigate(paths.apis(tenant.name), { notice: `Deleted “${r.name}”.` });
          }}
        >
          <p>
            This permanently deletes <strong className="break">{r.name}</strong> and every authorization for it.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Confidential applications only: they are the ones that can use the client credentials grant. */
function MachineToMachineSection({ resourceServer: r }: { resourceServer: ResourceServer }) {
  const { api, tenant } = useTenant();
  const data = useLoad(async () => {
    const [clients, grants] = await Promise.all([api.listClients(), api.listAll<ClientGrant>(`/client-grants?audience=${encodeURIComponent(r.identifier)}`)]);
    return { clients: clients.filter((c: Client) => isConfidential(c.app_type)), grants };
  }, [api, r.identifier]);

  const setGrant = (clientId: string, g: ClientGrant | undefined) =>
    data.setData((prev) => prev && { ...prev, grants: [...prev.grants.filter((x) => x.client_id !== clientId), ...(g ? [g] : [])] });

  return (
    <section className="card" aria-labelledby="m2m-apps">
      <div className="card-header">
        <h2 id="m2m-apps" className="card-title">
          Machine to Machine Applications
        </h2>
        <p className="card-subtitle">
          {r.is_system
            ? 'Applications authorized to call this API. Authorizations for the system API are shown read-only.'
            : 'Authorize applications to request tokens for this API with the client credentials grant. Changes are saved immediately.'}
        </p>
      </div>
      <div className="card-body">
        <ErrorBanner message={data.error?.message} onRetry={data.reload} />
        {!data.data && !data.error && <SkeletonBlock lines={3} label="Loading applications…" />}
        {data.data && data.data.clients.length === 0 && (
          <div className="empty">
            <p className="empty-title">No Regular Web or Machine to Machine applications yet.</p>
            <p className="empty-text">
              Create one on the <Link href={paths.applications(tenant.name)}>Applications page</Link>.
            </p>
          </div>
        )}
        {data.data && data.data.clients.length > 0 && (
          <ul className="grant-list" role="list">
            {data.data.clients.map((c) => (
              <li key={c.client_id}>
                <GrantEditor
                  subject={c.name}
                  detail={
                    <>
                      {appTypeLabel(c.app_type)} · <code className="mono">{c.client_id}</code>
                    </>
                  }
                  clientId={c.client_id}
                  audience={r.identifier}
                  scopes={r.scopes}
                  grant={data.data?.grants.find((g) => g.client_id === c.client_id)}
                  onChange={(g) => setGrant(c.client_id, g)}
                  readOnly={r.is_system}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
