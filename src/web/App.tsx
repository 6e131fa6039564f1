import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ManagementApi, sessionApi, toApiError, type Tenant } from './api.ts';
import { SessionContext, TenantContext, type SessionInfo } from './context.ts';
import { navigate, parseRoute, paths, useLocation, type Route } from './router.ts';
import { SignInPage } from './pages/SignInPage.tsx';
import { Shell } from './components/Shell.tsx';
import { ApplicationsPage } from './pages/ApplicationsPage.tsx';
import { ApplicationPage } from './pages/ApplicationPage.tsx';
import { ApisPage } from './pages/ApisPage.tsx';
import { ApiPage } from './pages/ApiPage.tsx';
import { LogsPage } from './pages/LogsPage.tsx';
import { UsersPage } from './pages/UsersPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { TenantSettingsPage } from './pages/TenantSettingsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ErrorBanner } from './components/Banner.tsx';
import { SkeletonBlock } from './components/Skeleton.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signedOut'; notice?: string }
  | { kind: 'signedIn'; email: string; csrf: string; tenants: Tenant[] };

/**
 * Session lifecycle and routing. Signed out, every URL shows the sign-in page and keeps its
 * address, so signing in lands on the page that was asked for (or left when the session ended).
 */
export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const { pathname } = useLocation();
  const route = parseRoute(pathname);

  const start = useCallback(async (session: { email: string; csrf_token: string }) => {
    const tenants = await sessionApi.tenants(session.csrf_token);
    setState({ kind: 'signedIn', email: session.email, csrf: session.csrf_token, tenants });
  }, []);

  const check = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const session = await sessionApi.current();
      if (!session) setState({ kind: 'signedOut' });
      else await start(session);
    } catch (err) {
      const e = toApiError(err);
      if (e.status === 401) setState({ kind: 'signedOut' });
      else setState({ kind: 'unreachable', message: e.message });
    }
  }, [start]);

  useEffect(() => {
    void check();
  }, [check]);

  const ended = useRef(false);
  const endSession = useCallback(() => {
    if (ended.current) return;
    ended.current = true;
    setState({ kind: 'signedOut', notice: 'Your session has ended. Sign in again to continue.' });
  }, []);

  if (state.kind === 'loading') {
    return (
      <div className="boot">
        <SkeletonBlock lines={3} label="Loading the dashboard…" />
      </div>
    );
  }
  if (state.kind === 'unreachable') {
    return (
      <div className="boot">
        <ErrorBanner message={state.message} onRetry={() => void check()} />
      </div>
    );
  }
  if (state.kind === 'signedOut') {
    return (
      <SignInPage
        notice={state.notice}
        onSignedIn={async (session) => {
          ended.current = false;
          await start(session);
        }}
      />
    );
  }
  return (
    <SignedIn
      email={state.email}
      csrf={state.csrf}
      tenants={state.tenants}
      route={route}
      onSessionEnded={endSession}
      onSignedOut={() => {
        setState({ kind: 'signedOut' });
        navigate(paths.root(), { replace: true });
      }}
    />
  );
}

function SignedIn({
  email,
  csrf,
  tenants,
  route,
  onSessionEnded,
  onSignedOut,
}: {
  email: string;
  csrf: string;
  tenants: Tenant[];
  route: Route;
  onSessionEnded: () => void;
  onSignedOut: () => void;
}) {
  const tenantName = route.name === 'root' || route.name === 'audit' ? undefined : route.tenant;
  const tenant = tenants.find((t) => t.name === tenantName);
  const first = tenants[0];

  useEffect(() => {
    if (route.name === 'root' && first) navigate(paths.applications(first.name), { replace: true });
  }, [route.name, first]);

  const api = useMemo(() => (tenant ? new ManagementApi(tenant.name, csrf, onSessionEnded) : null), [tenant, csrf, onSessionEnded]);

  const session = useMemo<SessionInfo>(
    () => ({
      email,
      tenants,
      signOut: () => {
        // Whatever the server says, this browser is done with the session.
        sessionApi.signOut(csrf).catch(() => undefined).finally(onSignedOut);
      },
    }),
    [email, tenants, csrf, onSignedOut],
  );

  useEffect(() => {
    document.title = titleFor(route, tenant?.name);
  }, [route, tenant?.name]);

  let content;
  if (route.name === 'audit') {
    content = <AuditPage csrf={csrf} onSessionEnded={onSessionEnded} />;
  } else if (route.name === 'root') {
    content = first ? <SkeletonBlock lines={3} /> : <NotFoundPage title="No tenants" message="Your account does not manage any tenant yet." />;
  } else if (!tenant || !api) {
    content = (
      <NotFoundPage
        title="Tenant not found"
        message={route.tenant !== undefined ? `There is no tenant named “${route.tenant}” that you can manage.` : 'This page does not exist.'}
      />
    );
  } else {
    content = (
      <TenantContext.Provider value={{ tenant, api }}>
        <TenantPage key={tenant.name} route={route} />
      </TenantContext.Provider>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <Shell tenant={tenant} route={route}>
        {content}
      </Shell>
    </SessionContext.Provider>
  );
}

function TenantPage({ route }: { route: Route }) {
  switch (route.name) {
    case 'applications':
      return <ApplicationsPage />;
    case 'application':
      return <ApplicationPage key={route.clientId} clientId={route.clientId} tab={route.tab} />;
    case 'apis':
      return <ApisPage />;
    case 'api':
      return <ApiPage key={route.id} id={route.id} />;
    case 'users':
      return <UsersPage />;
    case 'logs':
      return <LogsPage />;
    case 'settings':
      return <TenantSettingsPage />;
    default:
      return <NotFoundPage title="Page not found" message="This page does not exist." />;
  }
}

function titleFor(route: Route, tenant: string | undefined): string {
  const section: Partial<Record<Route['name'], string>> = {
    applications: 'Applications',
    application: 'Application',
    apis: 'APIs',
    api: 'API',
    users: 'Users',
    logs: 'Logs',
    settings: 'Settings',
    audit: 'Audit',
    notFound: 'Not found',
  };
  const parts = [section[route.name], tenant, 'Signet'].filter(Boolean);
  return parts.join(' · ');
}
