import type { Client, ClientGrant, ResourceServer } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { paths } from '../router.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { Link } from '../components/Link.tsx';
import { SkeletonBlock } from '../components/Skeleton.tsx';
import { GrantEditor } from '../apis/GrantEditor.tsx';

/** Which of the tenant's APIs this application may get tokens for (client credentials), and with which scopes. */
export function ApplicationApisTab({ client }: { client: Client }) {
  const { api, tenant } = useTenant();
  const data = useLoad(async () => {
    const [apis, grants] = await Promise.all([
      api.listAll<ResourceServer>('/resource-servers'),
      api.listAll<ClientGrant>(`/client-grants?client_id=${encodeURIComponent(client.client_id)}`),
    ]);
    return { apis: apis.filter((a) => !a.is_system), grants };
  }, [api, client.client_id]);

  const setGrant = (audience: string, g: ClientGrant | undefined) =>
    data.setData((prev) => prev && { ...prev, grants: [...prev.grants.filter((x) => x.audience !== audience), ...(g ? [g] : [])] });

  return (
    <section className="card" aria-labelledby="app-apis">
      <div className="card-header">
        <h2 id="app-apis" className="card-title">
          APIs
        </h2>
        <p className="card-subtitle">Authorize this application to request access tokens for an API with the client credentials grant. Changes are saved immediately.</p>
      </div>
      <div className="card-body">
        <ErrorBanner message={data.error?.message} onRetry={data.reload} />
        {!data.data && !data.error && <SkeletonBlock lines={3} label="Loading APIs…" />}
        {data.data && data.data.apis.length === 0 && (
          <div className="empty">
            <p className="empty-title">No APIs yet.</p>
            <p className="empty-text">
              Define an API on the <Link href={paths.apis(tenant.name)}>APIs page</Link> first.
            </p>
          </div>
        )}
        {data.data && data.data.apis.length > 0 && (
          <ul className="grant-list" role="list">
            {data.data.apis.map((a) => (
              <li key={a.id}>
                <GrantEditor
                  subject={a.name}
                  detail={<code className="mono">{a.identifier}</code>}
                  clientId={client.client_id}
                  audience={a.identifier}
                  scopes={a.scopes}
                  grant={data.data?.grants.find((g) => g.audience === a.identifier)}
                  onChange={(g) => setGrant(a.identifier, g)}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
