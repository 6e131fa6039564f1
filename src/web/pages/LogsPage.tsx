import { Fragment, useState } from 'react';
import type { LogEvent } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { formatDateTime } from '../format.ts';
import { navigate, paths, useLocation } from '../router.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';
import { SkeletonRows } from '../components/Skeleton.tsx';
import { LOG_TYPES, logQuery, logType } from '../logs/logTypes.ts';

const PER_PAGE = 50;

/** Why a failure happened, in the words the client was given, so the list answers "why" without opening the row. */
function reasonOf(e: LogEvent): string | undefined {
  const d = e.details as Record<string, unknown> | null;
  const reason = d?.client_authentication_error ?? d?.error_description;
  return typeof reason === 'string' && reason !== e.description ? reason : undefined;
}

/**
 * Token exchanges and management operations, newest first. The filters live in the URL, so a
 * filtered view can be shared and survives back/forward.
 */
export function LogsPage() {
  const { api, tenant } = useTenant();
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const type = params.get('type') ?? '';
  const clientId = params.get('client_id') ?? '';
  const [pages, setPages] = useState(1);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [more, setMore] = useState<{ events: LogEvent[]; exhausted: boolean; loading: boolean; error?: string }>({ events: [], exhausted: false, loading: false });

  const clients = useLoad(() => api.listClients(), [api]);
  const fetchPage = (page: number) => {
    const q = logQuery(type, clientId);
    return api.get<LogEvent[]>(`/logs?${q ? `q=${encodeURIComponent(q)}&` : ''}per_page=${PER_PAGE}&page=${page}`);
  };
  const logs = useLoad(() => {
    setPages(1);
    setMore({ events: [], exhausted: false, loading: false });
    return fetchPage(0);
  }, [api, type, clientId]);

  const setFilter = (key: 'type' | 'client_id', value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    setExpanded(null);
    navigate(paths.logs(tenant.name) + (qs ? `?${qs}` : ''), { replace: true });
  };

  const loadMore = async () => {
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    try {
      const batch = await fetchPage(pages);
      setPages((p) => p + 1);
      setMore((m) => ({ events: [...m.events, ...batch], exhausted: batch.length < PER_PAGE, loading: false }));
    } catch (err) {
      setMore((m) => ({ ...m, loading: false, error: err instanceof Error ? err.message : 'Could not load more events.' }));
    }
  };

  const events = [...(logs.data ?? []), ...more.events];
  // A failed exchange is logged before the client is known to be real, so it carries only the ID: name it from the list.
  const nameOf = new Map((clients.data ?? []).map((c) => [c.client_id, c.name]));
  const canLoadMore = !!logs.data && logs.data.length === PER_PAGE && !more.exhausted;

  return (
    <div className="page">
      <PageHeader title="Logs" description="Token exchanges and Management API operations on this tenant, newest first." />
      <div className="filters">
        <Field label="Event type" className="filter">
          {(p) => (
            <select {...p} className="select" value={type} onChange={(e) => setFilter('type', e.target.value)}>
              <option value="">All</option>
              {LOG_TYPES.map((t) => (
                <option key={t.code} value={t.code}>
                  {t.label} ({t.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Application" className="filter">
          {(p) => (
            <select {...p} className="select" value={clientId} onChange={(e) => setFilter('client_id', e.target.value)}>
              <option value="">All</option>
              {clientId && !clients.data?.some((c) => c.client_id === clientId) && <option value={clientId}>{clientId}</option>}
              {clients.data?.map((c) => (
                <option key={c.client_id} value={c.client_id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="filter filter-action">
          <button type="button" className="button button-secondary" onClick={logs.reload} disabled={logs.loading} aria-busy={logs.loading || undefined}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorBanner message={logs.error?.message} onRetry={logs.reload} />
      <div className="card table-card">
        <table className="table table-logs">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Date</th>
              <th scope="col">Application</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody aria-busy={logs.loading || undefined} className={logs.loading && logs.data ? 'is-stale' : undefined}>
            {logs.loading && !logs.data && <SkeletonRows rows={5} columns={4} />}
            {events.map((e) => {
              const t = logType(e.type);
              const open = expanded === e.log_id;
              const detailsId = `log-${e.log_id}`;
              return (
                <Fragment key={e.log_id}>
                  <tr className={`log-row ${t.failure ? 'is-failure' : ''} ${open ? 'is-open' : ''}`} onClick={() => setExpanded(open ? null : e.log_id)}>
                    <td>
                      {/* The button is what keyboards and screen readers use; a click anywhere on the row bubbles to the same toggle. */}
                      <button type="button" className="log-toggle" aria-expanded={open} aria-controls={open ? detailsId : undefined}>
                        <span className="log-chevron" aria-hidden="true">
                          ›
                        </span>
                        <span className="log-type">
                          <span className="log-type-label">{t.label}</span>
                          <code className="log-type-code">{e.type}</code>
                        </span>
                      </button>
                    </td>
                    <td className="cell-nowrap cell-muted">{formatDateTime(e.date)}</td>
                    <td>{e.client_name || nameOf.get(e.client_id ?? '') || e.client_id || '—'}</td>
                    <td className="log-description">
                      {e.description}
                      {reasonOf(e) && <span className="log-reason">{reasonOf(e)}</span>}
                    </td>
                  </tr>
                  {open && (
                    <tr className="log-details-row">
                      <td colSpan={4} id={detailsId}>
                        <pre className="code code-light">{JSON.stringify(e, null, 2)}</pre>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
        {logs.data && events.length === 0 && (
          <div className="empty">
            <p className="empty-title">No log events match these filters.</p>
          </div>
        )}
      </div>
      <ErrorBanner message={more.error} />
      {canLoadMore && (
        <div className="load-more">
          <button type="button" className="button button-secondary" onClick={loadMore} disabled={more.loading}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
