import { useId, type ReactNode } from 'react';
import type { Tenant } from '../api.ts';
import { useSession } from '../context.ts';
import { planLabel } from '../format.ts';
import { navigate, paths, type Route } from '../router.ts';
import { Link } from './Link.tsx';
import { Logo } from './Logo.tsx';

type Section = 'applications' | 'apis' | 'users' | 'logs' | 'settings' | 'audit';

function sectionOf(route: Route): Section | null {
  switch (route.name) {
    case 'applications':
    case 'application':
      return 'applications';
    case 'apis':
    case 'api':
      return 'apis';
    case 'users':
      return 'users';
    case 'logs':
      return 'logs';
    case 'settings':
      return 'settings';
    case 'audit':
      return 'audit';
    default:
      return null;
  }
}

/** Top bar (product, tenant, account) and the section navigation, around every signed-in page. */
export function Shell({ tenant, route, children }: { tenant: Tenant | undefined; route: Route; children: ReactNode }) {
  const { email, tenants, signOut } = useSession();
  const tenantSelectId = useId();
  const current = sectionOf(route);
  const tenantName = tenant?.name ?? tenants[0]?.name;
  const nav: { id: Section; label: string; href: string; icon: ReactNode }[] = tenantName
    ? [
        { id: 'applications', label: 'Applications', href: paths.applications(tenantName), icon: <AppsIcon /> },
        { id: 'apis', label: 'APIs', href: paths.apis(tenantName), icon: <ApiIcon /> },
        { id: 'users', label: 'Users', href: paths.users(tenantName), icon: <UsersIcon /> },
        { id: 'logs', label: 'Logs', href: paths.logs(tenantName), icon: <LogsIcon /> },
        { id: 'settings', label: 'Settings', href: paths.settings(tenantName), icon: <SettingsIcon /> },
      ]
    : [];
  // The platform's own audit log, whatever the tenant.
  nav.push({ id: 'audit', label: 'Audit', href: paths.audit(), icon: <AuditIcon /> });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" href={tenantName ? paths.applications(tenantName) : paths.root()}>
          <Logo />
          <span className="brand-name">Signet</span>
        </Link>
        <div className="topbar-tenant">
          <label className="topbar-label" htmlFor={tenantSelectId}>
            Tenant
          </label>
          <select
            id={tenantSelectId}
            className="select select-compact"
            value={tenant?.name ?? ''}
            onChange={(e) => navigate(paths.applications(e.target.value))}
          >
            {!tenant && (
              <option value="" disabled>
                Choose a tenant
              </option>
            )}
            {tenants.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} — {planLabel(t.plan)}
              </option>
            ))}
          </select>
        </div>
        <div className="topbar-account">
          <span className="topbar-email" title={email}>
            {email}
          </span>
          <button type="button" className="button button-secondary button-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <div className="shell-body">
        <nav className="sidenav" aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.id}>
                <Link href={n.href} className="sidenav-link" aria-current={current === n.id ? 'page' : undefined}>
                  <span className="sidenav-icon" aria-hidden="true">
                    {n.icon}
                  </span>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

const iconProps = { width: 18, height: 18, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

function AppsIcon() {
  return (
    <svg {...iconProps}>
      <rect x="3" y="3" width="7" height="7" rx="1.5" />
      <rect x="14" y="3" width="7" height="7" rx="1.5" />
      <rect x="3" y="14" width="7" height="7" rx="1.5" />
      <rect x="14" y="14" width="7" height="7" rx="1.5" />
    </svg>
  );
}

function ApiIcon() {
  return (
    <svg {...iconProps}>
      <path d="M8 7l-5 5 5 5" />
      <path d="M16 7l5 5-5 5" />
      <path d="M13.5 5l-3 14" />
    </svg>
  );
}

function UsersIcon() {
  return (
    <svg {...iconProps}>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21c0-4 3.6-7 8-7s8 3 8 7" />
    </svg>
  );
}

function LogsIcon() {
  return (
    <svg {...iconProps}>
      <path d="M5 4h14v16H5z" />
      <path d="M9 9h6M9 13h6M9 17h3" />
    </svg>
  );
}

function SettingsIcon() {
  return (
    <svg {...iconProps}>
      <path d="M4 7h10M18 7h2M4 17h2M10 17h10" />
      <circle cx="16" cy="7" r="2" />
      <circle cx="8" cy="17" r="2" />
    </svg>
  );
}

function AuditIcon() {
  return (
    <svg {...iconProps}>
      <path d="M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6z" />
      <path d="M9 12l2 2 4-4" />
    </svg>
  );
}
