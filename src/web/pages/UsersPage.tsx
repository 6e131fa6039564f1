import { useState, type FormEvent } from 'react';
import { toApiError, type User } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { formatDateTime } from '../format.ts';
import { navigate, paths, useLocation } from '../router.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner, NoticeBanner } from '../components/Banner.tsx';
import { Badge } from '../components/Badge.tsx';
import { Field } from '../components/Field.tsx';
import { SkeletonRows } from '../components/Skeleton.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CreateUserDialog, ResetPasswordDialog } from '../users/CreateUserDialog.tsx';
import { emailSearchQuery } from '../users/userSearch.ts';

const PER_PAGE = 50;

interface UserPage {
  start: number;
  limit: number;
  total: number;
  users: User[];
}

/**
 * The tenant's users (its database connection): search by email, create, block or unblock,
 * set a new password, delete. The search and page live in the URL.
 */
export function UsersPage() {
  const { api, tenant } = useTenant();
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const term = params.get('email') ?? '';
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);
  const [typed, setTyped] = useState(term);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const users = useLoad(() => {
    const q = emailSearchQuery(term);
    return api.get<UserPage>(`/users?include_totals=true&per_page=${PER_PAGE}&page=${page}${q ? `&search_engine=v3&q=${encodeURIComponent(q)}` : ''}`);
  }, [api, term, page]);

  const go = (next: { email?: string; page?: number }) => {
    const p = new URLSearchParams();
    const email = next.email ?? term;
    if (email) p.set('email', email);
    if (next.page) p.set('page', String(next.page));
    const qs = p.toString();
    navigate(paths.users(tenant.name) + (qs ? `?${qs}` : ''), { replace: true });
  };

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    go({ email: typed.trim(), page: 0 });
  };

  const setBlocked = async (u: User, blocked: boolean) => {
    setBusyId(u.user_id);
    setRowError(null);
    try {
      const updated = await api.patch<User>(`/users/${encodeURIComponent(u.user_id)}`, { blocked });
      users.setData((d) => d && { ...d, users: d.users.map((x) => (x.user_id === u.user_id ? updated : x)) });
      setNotice(`${u.email} is ${blocked ? 'blocked: they can no longer sign in' : 'unblocked'}.`);
    } catch (err) {
      setRowError(toApiError(err).message);
    } finally {
      setBusyId(null);
    }
  };

  const data = users.data;
  const total = data?.total ?? 0;
  const last = Math.max(0, Math.ceil(total / PER_PAGE) - 1);

  return (
    <div className="page">
      <PageHeader
        title="Users"
        description="The people who sign in to this tenant’s applications with an email and password."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <span aria-hidden="true">+</span> Create user
          </button>
        }
      />
      <NoticeBanner onDismiss={() => setNotice(null)}>{notice}</NoticeBanner>
      <form className="filters" role="search" onSubmit={onSearch}>
        <Field label="Search by email" className="filter" hint="A whole address, its beginning, or @domain.">
          {(p) => <input {...p} className="input" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <div className="filter filter-action">
          <button type="submit" className="button button-secondary">
            Search
          </button>
        </div>
      </form>
      <ErrorBanner message={users.error?.message ?? rowError} onRetry={users.error ? users.reload : undefined} />
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Logins</th>
              <th scope="col">Last login</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody aria-busy={users.loading || undefined} className={users.loading && data ? 'is-stale' : undefined}>
            {users.loading && !data && <SkeletonRows rows={3} columns={5} />}
            {data?.users.map((u) => (
              <tr key={u.user_id} data-user-id={u.user_id}>
                <td>
                  <span className="cell-with-badge">
                    <span className="break">{u.email}</span>
                    {u.blocked && (
                      <Badge tone="danger" title="This user cannot sign in">
                        Blocked
                      </Badge>
                    )}
                  </span>
                </td>
                <td>{u.name}</td>
                <td>{u.logins_count}</td>
                <td>{u.last_login ? formatDateTime(u.last_login) : 'Never'}</td>
                <td>
                  <div className="row-actions">
                    <button type="button" className="button button-secondary button-small" disabled={busyId === u.user_id} onClick={() => void setBlocked(u, !u.blocked)}>
                      {u.blocked ? 'Unblock' : 'Block'}
                    </button>
                    <button type="button" className="button button-secondary button-small" onClick={() => setResetting(u)}>
                      Reset password
                    </button>
                    <button type="button" className="button button-danger button-small" onClick={() => setDeleting(u)}>
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.users.length === 0 && (
          <div className="empty">
            <p className="empty-title">{term ? `No users match “${term}”.` : 'No users yet.'}</p>
          </div>
        )}
      </div>
      {data && total > PER_PAGE && (
        <div className="pager">
          <button type="button" className="button button-secondary" disabled={page === 0} onClick={() => go({ page: page - 1 })}>
            Previous
          </button>
          <span>
            {data.start + 1}–{data.start + data.users.length} of {total}
          </span>
          <button type="button" className="button button-secondary" disabled={page >= last} onClick={() => go({ page: page + 1 })}>
            Next
          </button>
        </div>
      )}
      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setNotice(`Created ${u.email}.`);
            users.reload();
          }}
        />
      )}
      {resetting && (
        <ResetPasswordDialog
          user={resetting}
          onClose={() => setResetting(null)}
          onDone={() => {
            setNotice(`Set a new password for ${resetting.email}.`);
            setResetting(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete user"
          confirmLabel="Delete"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.delete(`/users/${encodeURIComponent(deleting.user_id)}`);
            setNotice(`Deleted ${deleting.email}.`);
            setDeleting(null);
            users.reload();
          }}
        >
          <p>
            <strong>{deleting.email}</strong> will no longer be able to sign in, and their profile and metadata are deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
