import { useState } from 'react';
import { seg, type Client } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { appTypeLabel } from '../format.ts';
import { paths, takeNotice, type AppTab } from '../router.ts';
import { ErrorBanner, NoticeBanner } from '../components/Banner.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { Link } from '../components/Link.tsx';
import { SkeletonBlock } from '../components/Skeleton.tsx';
import { TabPanel, Tabs } from '../components/Tabs.tsx';
import { AppTypeIcon } from '../applications/AppTypeIcon.tsx';
import { SettingsTab } from '../applications/SettingsTab.tsx';
import { ApplicationApisTab } from '../applications/ApplicationApisTab.tsx';
import { CredentialsTab } from '../credentials/CredentialsTab.tsx';
import { AppLegacyAudienceWarning } from '../settings/LegacyAudienceWarning.tsx';
import { loadLegacyAudienceClients } from '../settings/legacyAudience.ts';

const TAB_LABELS: Record<AppTab, string> = { settings: 'Settings', credentials: 'Credentials', apis: 'APIs' };

export function ApplicationPage({ clientId, tab }: { clientId: string; tab: AppTab }) {
  const { api, tenant } = useTenant();
  const client = useLoad(() => api.get<Client>(`/clients/${seg(clientId)}`), [api, clientId]);
  // Secondary to the page: if it cannot be read, the page shows without the warning.
  const legacy = useLoad(() => loadLegacyAudienceClients(api), [api]);
  const [notice, setNotice] = useState(() => takeNotice());
  const setClient = (c: Client) => client.setData(() => c);

  const back = (
    <Link className="back-link" href={paths.applications(tenant.name)}>
      <span aria-hidden="true">←</span> All applications
    </Link>
  );

  if (!client.data) {
    return (
      <div className="page">
        {back}
        {client.error ? (
          <>
            <h1 className="page-title">Application</h1>
            <ErrorBanner message={client.error.message} onRetry={client.error.status === 404 ? undefined : client.reload} />
          </>
        ) : (
          <SkeletonBlock lines={4} label="Loading the application…" />
        )}
      </div>
    );
  }

  const c = client.data;
  return (
    <div className="page">
      {back}
      <div className="app-header">
        <AppTypeIcon type={c.app_type} />
        <div className="app-header-text">
          <h1 className="page-title">{c.name}</h1>
          <div className="app-meta">
            <span className="app-meta-item">{appTypeLabel(c.app_type)}</span>
            <span className="app-meta-item app-meta-id">
              <span className="app-meta-label">Client ID</span>
              <code className="mono truncate" title={c.client_id}>
                {c.client_id}
              </code>
              <CopyButton text={c.client_id} label="Copy Client ID" />
            </span>
          </div>
        </div>
      </div>
      <NoticeBanner onDismiss={() => setNotice(null)}>{notice}</NoticeBanner>
      <AppLegacyAudienceWarning tenant={tenant.name} clientId={c.client_id} issuer={tenant.issuer} usage={legacy.data} />
      <Tabs
        label="Application sections"
        idPrefix="app"
        selected={tab}
        items={(['settings', 'credentials', 'apis'] as const).map((id) => ({ id, label: TAB_LABELS[id], href: paths.application(tenant.name, c.client_id, id) }))}
      />
      <TabPanel idPrefix="app" id={tab} className="tab-panel">
        {tab === 'settings' && <SettingsTab client={c} onSaved={setClient} />}
        {tab === 'credentials' && <CredentialsTab client={c} onChanged={setClient} />}
        {tab === 'apis' && <ApplicationApisTab client={c} />}
      </TabPanel>
    </div>
  );
}
