// The React reference of Gatehouse's leads page for `cargo xtask bench` (issue 6).
//
// It does what the SPA does between a page load and its first lead card: who is signed in
// (`/internal/security/me`, then `/api/core/capabilities`), the leads privileges, then the leads
// and the generation status; and it renders the SPA's markup for the leads section
// (src/pages/entity_analytics.rs): the same classes and `data-testid`s, so the bench drives both
// pages the same way and the SPA's stylesheet styles both. Like the SPA it sets the
// `performance.mark` `gatehouse:leads-parsed` when a find answer has been read and parsed, and
// `gatehouse:dismiss-failed` when a Dismiss failed.
//
// Not here (the SPA has them): the console around the page (app nav, space switcher, other
// apps), the lead detail's related runbooks, the "Why?" panels, the privilege re-check every 5 s.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

const LEADS_BASE = '/internal/entity_analytics/leads';
const LEADS_INDEX_PATTERN = '.entity_analytics.entity-leads-*';
const PAGE_SIZES = [10, 20, 50, 100];
const MAX_PER_PAGE = 100;
const DEFAULT_QUERY = { page: 1, perPage: 20, sortField: 'priority', sortOrder: 'desc', status: 'active' };
const REQUEST_TIMEOUT_MS = 20_000;
const STATUS_POLL_MS = 2_000;
const STATUS_POLL_ATTEMPTS = 30;
const TEXTS = {
  sectionTitle: 'Top threat hunting leads',
  generate: 'Generate',
  regenerate: 'Regenerate',
  emptyTitle: 'No hunting leads yet',
  emptyBody: 'Generate leads to surface proactive threat hunting opportunities from your entity data.',
  generateStarted: 'Lead generation started successfully',
  generateFailed: 'Failed to generate leads',
  generateDone: 'Lead generation finished',
  generateSlow: 'Lead generation is taking longer than expected. Results will appear when ready.',
  fetchFailed: 'Failed to fetch hunting leads',
  statusFailed: 'Failed to fetch lead generation status',
  insufficientPrivileges: 'Insufficient privileges',
};

// ---------------------------------------------------------------------------------------------
// API client: Kibana's headers, a time limit, errors as ApiError.

/** `/s/{id}` in a named space (the page is at `/s/{id}/react/`), empty in `default`. */
const SPACE_PREFIX = (() => {
  const m = /^\/s\/([^/]+)(\/|$)/.exec(window.location.pathname);
  return m && m[1] !== 'default' ? `/s/${m[1]}` : '';
})();

class ApiError extends Error {
  constructor(status, message, esType) {
    super(message);
    this.status = status;
    this.esType = esType;
  }
  get toastText() {
    return this.status ? `${this.message} (${this.status})` : this.message;
  }
  get permissionDenied() {
    return this.status === 403 || this.esType === 'security_exception' || this.message.startsWith('Access denied:');
  }
  get indexNotFound() {
    return this.esType === 'index_not_found_exception';
  }
}

function errorOf(status, text) {
  try {
    const json = JSON.parse(text);
    const message = json.message || (json.error && (json.error.reason || json.error)) || `HTTP ${status}`;
    const esType = (json.attributes && json.attributes.error && json.attributes.error.type) || (json.error && json.error.type);
    return new ApiError(status, String(message).slice(0, 500), esType);
  } catch {
    return new ApiError(status, (text || `HTTP ${status}`).slice(0, 500));
  }
}

async function call(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['kbn-xsrf'] = 'true';
  if (path.startsWith('/internal/')) headers['x-elastic-internal-origin'] = 'Kibana';
  if (path.startsWith(LEADS_BASE)) headers['elastic-api-version'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  let text;
  try {
    response = await fetch(SPACE_PREFIX + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: controller.signal,
    });
    text = await response.text();
  } catch (e) {
    throw new ApiError(0, controller.signal.aborted ? `No answer within ${REQUEST_TIMEOUT_MS / 1000} s` : String(e));
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw errorOf(response.status, text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(response.status, `Invalid body: ${e}`);
  }
}

function findQueryString(q) {
  const perPage = Math.min(Math.max(q.perPage, 1), MAX_PER_PAGE);
  let s = `page=${Math.max(q.page, 1)}&perPage=${perPage}&sortField=${q.sortField}&sortOrder=${q.sortOrder}`;
  if (q.status) s += `&status=${q.status}`;
  return s;
}

const totalPages = (q, total) => Math.max(1, Math.ceil(total / Math.min(Math.max(q.perPage, 1), MAX_PER_PAGE)));

/** `performance.mark(name)` for the bench, replacing the previous mark of that name. */
function benchMark(name) {
  performance.clearMarks(name);
  performance.mark(name);
}

// ---------------------------------------------------------------------------------------------
// Formatting (src/format.rs)

function relativeTime(iso) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.max(0, Math.floor((Date.now() - then) / 1000));
  if (seconds <= 44) return 'just now';
  const [value, unit] =
    seconds < 3600 ? [Math.ceil(seconds / 60), 'minute'] : seconds < 86400 ? [Math.floor(seconds / 3600), 'hour'] : [Math.floor(seconds / 86400), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'} ago`;
}

function localTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('en-GB');
}

function priorityClass(priority) {
  if (priority >= 9) return 'priority-critical';
  if (priority >= 7) return 'priority-high';
  if (priority >= 4) return 'priority-medium';
  return 'priority-low';
}

const missingPrivilegeText = (privilege, toDo) =>
  `You need the ${privilege} privilege on ${LEADS_INDEX_PATTERN} to ${toDo}. Ask an administrator to add it to your role.`;

// ---------------------------------------------------------------------------------------------
// Toasts (src/components/toasts.rs)

const LIFETIME_MS = { success: 5000, warning: 8000, error: 10000 };
let nextToastId = 1;

function useToasts() {
  const [toasts, setToasts] = useState([]);
  const dismiss = useCallback((id) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (kind, title, text = '') => {
      const id = nextToastId++;
      setToasts((list) => [...list, { id, kind, title, text }]);
      setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
    },
    [dismiss],
  );
  const api = useRef(null);
  api.current = {
    list: toasts,
    dismiss,
    success: (title, text) => push('success', title, text),
    warning: (title, text) => push('warning', title, text),
    error: (title, text) => push('error', title, text),
    apiError: (title, error) => push('error', title, error.toastText),
  };
  return api.current;
}

function ToastRegion({ toasts }) {
  return (
    <div id="toasts" className="toast-region" role="region" aria-label="Notifications" aria-live="polite" aria-relevant="additions text">
      {toasts.list.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" role={t.kind === 'error' ? 'alert' : 'status'}>
          <span className="toast-icon" aria-hidden="true">
            {t.kind === 'success' ? '✓' : t.kind === 'warning' ? '!' : '✕'}
          </span>
          <div className="toast-body">
            <p className="toast-title">{t.title}</p>
            {t.text && <p className="toast-text">{t.text}</p>}
          </div>
          <button type="button" className="toast-dismiss" aria-label="Dismiss notification" onClick={() => toasts.dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// GuardedButton (src/components/guarded_button.rs): `blocked` closes it and says why.

function GuardedButton({ label, blocked, busy = false, onPress, className = '', testid }) {
  const tooltipId = useId();
  const [open, setOpen] = useState(false);
  return (
    <span className="tooltip-anchor" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        type="button"
        className={`btn ${className}`}
        data-testid={testid}
        aria-disabled={blocked ? 'true' : undefined}
        aria-describedby={blocked ? tooltipId : undefined}
        aria-busy={busy ? 'true' : undefined}
        disabled={busy}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        onClick={(e) => {
          if (blocked || busy) {
            e.preventDefault();
            return;
          }
          onPress();
        }}
      >
        {label}
      </button>
      {blocked && (
        <span role="tooltip" id={tooltipId} className={open ? 'tooltip tooltip-open' : 'tooltip'}>
          {blocked}
        </span>
      )}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------
// The leads section (src/pages/entity_analytics.rs)

const ENTITY_ICON_PATHS = {
  host: 'M2 3h12v8H2zM6 13h4M8 11v2',
  user: 'M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2.5 14c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5',
  service: 'M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.5 1.5M11.5 11.5L13 13M3 13l1.5-1.5M11.5 4.5L13 3',
};

function EntityIcon({ type }) {
  return (
    <svg className="entity-icon" viewBox="0 0 16 16" aria-hidden="true">
      <path d={ENTITY_ICON_PATHS[type] || 'M8 2l6 6-6 6-6-6z'} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** Newest Kibana sends `entity`, older ones `entities: [..]`. */
const entityOf = (lead) => lead.entity || (lead.entities && lead.entities[0]) || null;

function LeadCard({ lead, writeBlocked, onOpen, onDismiss }) {
  const entity = entityOf(lead);
  const status = lead.status || 'active';
  const staleness = lead.staleness || 'fresh';
  return (
    <li className="lead-card" data-testid="lead-card" data-lead-id={lead.id}>
      <div className="lead-card-top">
        <span className={`priority-badge ${priorityClass(lead.priority)}`} title="Priority, 10 is the most urgent">
          {`P${lead.priority}`}
        </span>
        <span className={`staleness staleness-${staleness}`}>{staleness}</span>
      </div>
      <h3 className="lead-title">
        <button type="button" className="link-button" data-testid="lead-open" onClick={() => onOpen(lead)}>
          {lead.title}
        </button>
      </h3>
      <p className="lead-byline">{lead.byline || ''}</p>
      {entity && (
        <p className="lead-entity">
          <EntityIcon type={entity.type} />
          <span className="sr-only">{entity.type} </span>
          <span className="entity-name">{entity.name}</span>
        </p>
      )}
      <ul className="tags" aria-label="Tags">
        {(lead.tags || []).map((tag, i) => (
          <li key={i} className="tag">
            {tag}
          </li>
        ))}
      </ul>
      <div className="lead-card-footer">
        <time className="muted small" dateTime={lead.timestamp || ''} title={localTime(lead.timestamp || '')}>
          {relativeTime(lead.timestamp || '')}
        </time>
        {status === 'active' && (
          <GuardedButton label="Dismiss" blocked={writeBlocked('dismiss leads')} onPress={() => onDismiss(lead.id)} className="btn-small btn-ghost" testid="lead-dismiss" />
        )}
      </div>
    </li>
  );
}

function Skeleton() {
  return (
    <ul className="lead-grid" aria-hidden="true">
      {[0, 1, 2, 3, 4, 5].map((i) => (
        <li key={i} className="lead-card skeleton">
          <span />
          <span />
          <span />
        </li>
      ))}
    </ul>
  );
}

function LeadGrid({ found, query, setQuery, writeBlocked, onOpen, onDismiss }) {
  const { page, query: asked } = found;
  const pages = totalPages(asked, page.total);
  const current = Math.max(page.page, 1);
  const first = (current - 1) * asked.perPage + 1;
  const last = Math.max(first + page.leads.length - 1, 0);
  return (
    <>
      <ul className="lead-grid" data-testid="lead-list">
        {page.leads.map((lead) => (
          <LeadCard key={lead.id} lead={lead} writeBlocked={writeBlocked} onOpen={onOpen} onDismiss={onDismiss} />
        ))}
      </ul>
      <nav className="pagination" aria-label="Lead pages">
        <span className="muted" data-testid="leads-range">{`${first}–${last} of ${page.total}`}</span>
        <label className="inline-field">
          <span>Per page</span>
          <select value={String(query.perPage)} onChange={(e) => setQuery((q) => ({ ...q, perPage: Number(e.target.value) || q.perPage, page: 1 }))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn" data-testid="leads-prev" disabled={current <= 1} onClick={() => setQuery((q) => ({ ...q, page: current - 1 }))}>
          ‹ Previous
        </button>
        <span data-testid="leads-page">{`Page ${current} of ${pages}`}</span>
        <button type="button" className="btn" data-testid="leads-next" disabled={current >= pages} onClick={() => setQuery((q) => ({ ...q, page: current + 1 }))}>
          Next ›
        </button>
      </nav>
    </>
  );
}

function Filters({ setQuery }) {
  const SORTS = { newest: ['timestamp', 'desc'], oldest: ['timestamp', 'asc'], 'priority-asc': ['priority', 'asc'], 'priority-desc': ['priority', 'desc'] };
  return (
    <div className="filters" role="group" aria-label="Lead filters">
      <label className="inline-field">
        <span>Status</span>
        <select data-testid="leads-status-filter" defaultValue="active" onChange={(e) => setQuery((q) => ({ ...q, status: e.target.value, page: 1 }))}>
          <option value="active">Active</option>
          <option value="dismissed">Dismissed</option>
          <option value="expired">Expired</option>
        </select>
      </label>
      <label className="inline-field">
        <span>Sort by</span>
        <select
          data-testid="leads-sort"
          defaultValue="priority-desc"
          onChange={(e) => {
            const [sortField, sortOrder] = SORTS[e.target.value] || SORTS['priority-desc'];
            setQuery((q) => ({ ...q, sortField, sortOrder, page: 1 }));
          }}
        >
          <option value="priority-desc">Highest priority</option>
          <option value="priority-asc">Lowest priority</option>
          <option value="newest">Newest</option>
          <option value="oldest">Oldest</option>
        </select>
      </label>
    </div>
  );
}

function LeadDetail({ lead, onClose }) {
  const ref = useRef(null);
  useEffect(() => {
    if (lead && ref.current && !ref.current.open) ref.current.showModal();
  }, [lead]);
  if (!lead) return null;
  const entity = entityOf(lead);
  return (
    <dialog ref={ref} className="modal modal-wide" data-testid="lead-detail" aria-label={lead.title} onClose={onClose}>
      <header className="modal-header">
        <h2>{lead.title}</h2>
        <button type="button" className="btn btn-icon-only" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="modal-body">
      <div className="lead-detail">
        <p className="lead-detail-meta">
          <span className={`priority-badge ${priorityClass(lead.priority)}`}>{`Priority ${lead.priority}`}</span>
          {entity && (
            <span className="entity-chip">
              <EntityIcon type={entity.type} />
              <span className="sr-only">{entity.type} </span>
              {entity.name}
            </span>
          )}
          <span className="muted">{lead.byline}</span>
        </p>
        <p className="prose">{lead.description}</p>
        <ul className="observations">
          {(lead.observations || []).map((o, i) => (
            <li key={i} className="observation">
              <span className={`severity severity-${o.severity}`}>{o.severity}</span>
              <div>
                <p>{o.description}</p>
                <p className="muted small">{`${(o.moduleId || '').replaceAll('_', ' ')} · score ${Math.round(o.score || 0)} · confidence ${Math.round((o.confidence || 0) * 100)}%`}</p>
              </div>
            </li>
          ))}
        </ul>
        <ol className="recommendations">
          {(lead.chatRecommendations || []).map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ol>
      </div>
      </div>
    </dialog>
  );
}

function LeadsSection({ toasts }) {
  // loading | hidden | read-only | full
  const [access, setAccess] = useState('loading');
  const [privilegesError, setPrivilegesError] = useState(null);
  const [query, setQuery] = useState(DEFAULT_QUERY);
  const [reload, setReload] = useState(0);
  const [found, setFound] = useState(null); // { page, query } | { error, query }
  const [lastRun, setLastRun] = useState(null);
  const [total, setTotal] = useState(null);
  const [generating, setGenerating] = useState(false);
  const [selected, setSelected] = useState(null);
  const mayFetch = access === 'read-only' || access === 'full';
  const refresh = useCallback(() => setReload((n) => n + 1), []);
  // A 403 proves the privilege is gone, whatever `/privileges` said.
  const denied = useCallback((privilege) => setAccess((a) => (privilege === 'read' ? 'hidden' : a === 'full' ? 'read-only' : a)), []);
  const writeBlocked = (toDo) => (access === 'read-only' ? missingPrivilegeText('write', toDo) : null);

  const [privilegesTry, setPrivilegesTry] = useState(0);
  useEffect(() => {
    let live = true;
    call('GET', `${LEADS_BASE}/privileges`).then(
      (p) => live && setAccess(!p.has_read_permissions ? 'hidden' : p.has_write_permissions ? 'full' : 'read-only'),
      (error) => {
        if (!live) return;
        toasts.apiError(TEXTS.fetchFailed, error);
        if (error.permissionDenied) setAccess('hidden');
        else setPrivilegesError(error);
      },
    );
    return () => {
      live = false;
    };
  }, [privilegesTry]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!mayFetch) return undefined;
    let live = true;
    const asked = query;
    call('GET', `${LEADS_BASE}?${findQueryString(asked)}`).then(
      (page) => {
        benchMark('gatehouse:leads-parsed');
        if (!live) return;
        setTotal(page.total);
        setFound({ page, query: asked });
      },
      (error) => {
        benchMark('gatehouse:leads-parsed');
        if (!live) return;
        if (error.indexNotFound) {
          setTotal(0);
        } else {
          toasts.apiError(TEXTS.fetchFailed, error);
          if (error.permissionDenied) denied('read');
        }
        setFound({ error, query: asked });
      },
    );
    return () => {
      live = false;
    };
  }, [mayFetch, query, reload]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!mayFetch) return undefined;
    let live = true;
    call('GET', `${LEADS_BASE}/status`).then(
      (status) => live && setLastRun(status.lastRun || null),
      (error) => {
        if (!live) return;
        toasts.apiError(TEXTS.statusFailed, error);
        if (error.permissionDenied) denied('read');
      },
    );
    return () => {
      live = false;
    };
  }, [mayFetch, reload]); // eslint-disable-line react-hooks/exhaustive-deps

  const dismiss = useCallback(
    async (id) => {
      try {
        await call('POST', `${LEADS_BASE}/${encodeURIComponent(id)}/_dismiss`);
        toasts.success('Lead dismissed', '');
        setSelected(null);
        refresh();
      } catch (error) {
        benchMark('gatehouse:dismiss-failed');
        toasts.apiError('Failed to dismiss lead', error);
        if (error.permissionDenied) denied('write');
      }
    },
    [toasts, refresh, denied],
  );

  const generate = async () => {
    if (generating) return;
    setGenerating(true);
    try {
      const started = await call('POST', `${LEADS_BASE}/generate`, { connectorId: 'gatehouse-default' });
      toasts.success(TEXTS.generateStarted, '');
      for (let i = 0; ; i++) {
        if (i === STATUS_POLL_ATTEMPTS) {
          toasts.warning(TEXTS.generateSlow, '');
          break;
        }
        await new Promise((r) => setTimeout(r, STATUS_POLL_MS));
        let status;
        try {
          status = await call('GET', `${LEADS_BASE}/status`);
        } catch (error) {
          toasts.apiError(TEXTS.statusFailed, error);
          if (error.permissionDenied) denied('read');
          break;
        }
        if (status.lastExecutionUuid !== started.executionUuid) continue;
        if (status.lastError) {
          toasts.error(TEXTS.generateFailed, status.lastError);
          if (status.lastError.startsWith('security_exception')) denied('write');
        } else {
          const n = status.totalLeads;
          toasts.success(TEXTS.generateDone, `${n} hunting ${n === 1 ? 'lead' : 'leads'} ready.`);
          refresh();
        }
        break;
      }
    } catch (error) {
      toasts.apiError(TEXTS.generateFailed, error);
      if (error.permissionDenied) denied('write');
    }
    setGenerating(false);
  };

  if (access === 'hidden') {
    return (
      <div className="callout callout-info" data-testid="leads-hidden-note">
        <p className="callout-title">Threat hunting leads are hidden</p>
        <p>
          Your roles do not grant the <code>read</code> privilege on <code>{LEADS_INDEX_PATTERN}</code>.
        </p>
      </div>
    );
  }
  if (access === 'loading' && !privilegesError) {
    return null;
  }

  let body;
  if (!found) {
    body = <Skeleton />;
  } else if (found.error && found.error.indexNotFound) {
    body = <EmptyState query={query} />;
  } else if (found.error) {
    body = (
      <div className="callout callout-danger" role="alert" data-testid="leads-error">
        <p className="callout-title">{TEXTS.fetchFailed}</p>
        <p>{found.error.toastText}</p>
        <button type="button" className="btn" data-testid="leads-retry" onClick={refresh}>
          Try again
        </button>
      </div>
    );
  } else if (found.page.total === 0 || (found.page.leads.length === 0 && found.page.page === 1)) {
    body = <EmptyState query={query} />;
  } else {
    body = <LeadGrid found={found} query={query} setQuery={setQuery} writeBlocked={writeBlocked} onOpen={setSelected} onDismiss={dismiss} />;
  }

  return (
    <section className="panel leads-section" data-testid="leads-section" aria-labelledby="leads-title" aria-busy={access === 'loading' ? 'true' : undefined}>
      <header className="section-header">
        <div>
          <h2 id="leads-title">{TEXTS.sectionTitle}</h2>
          {lastRun && (
            <p className="muted small" data-testid="leads-last-run">
              Last generated{' '}
              <time dateTime={lastRun} title={localTime(lastRun)}>
                {relativeTime(lastRun)}
              </time>
            </p>
          )}
        </div>
        <div className="toolbar">
          <GuardedButton
            label={generating ? 'Generating…' : total > 0 ? TEXTS.regenerate : TEXTS.generate}
            blocked={writeBlocked('generate leads')}
            busy={generating}
            onPress={generate}
            className="btn-primary"
            testid="leads-generate"
          />
        </div>
      </header>
      {privilegesError && (
        <div className="callout callout-danger" role="alert">
          <p className="callout-title">Could not check your privileges</p>
          <p>{privilegesError.toastText}</p>
          <button
            type="button"
            className="btn"
            data-testid="leads-privileges-retry"
            onClick={() => {
              setPrivilegesError(null);
              setAccess('loading');
              setPrivilegesTry((n) => n + 1);
            }}
          >
            Try again
          </button>
        </div>
      )}
      {access === 'read-only' && (
        <div className="callout callout-warning" data-testid="leads-readonly-callout">
          <p className="callout-title">{TEXTS.insufficientPrivileges}</p>
          <p>
            You can view hunting leads, but generating and dismissing them needs the <code>write</code> privilege on <code>{LEADS_INDEX_PATTERN}</code>.
          </p>
        </div>
      )}
      <Filters setQuery={setQuery} />
      {body}
      <LeadDetail lead={selected} onClose={() => setSelected(null)} />
    </section>
  );
}

function EmptyState({ query }) {
  const filtered = query.status !== 'active';
  return (
    <div className="empty-state" data-testid="leads-empty">
      <svg className="empty-icon-svg" viewBox="0 0 48 48" aria-hidden="true">
        <circle cx="21" cy="21" r="12" fill="none" stroke="currentColor" strokeWidth="3" />
        <path d="M30 30l10 10M21 15v12M15 21h12" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      <h3>{filtered ? 'No leads with this status' : TEXTS.emptyTitle}</h3>
      <p className="muted">{filtered ? 'Choose another status to see other leads.' : TEXTS.emptyBody}</p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// The page: session first (src/state/session.rs), then the leads section.

function App() {
  const toasts = useToasts();
  // checking | { user, capabilities } | signed-out | { error }
  const [session, setSession] = useState('checking');
  useEffect(() => {
    (async () => {
      try {
        const user = await call('GET', '/internal/security/me');
        const capabilities = await call('POST', '/api/core/capabilities', { applications: [] });
        setSession({ user, capabilities });
      } catch (error) {
        setSession(error.status === 401 ? 'signed-out' : { error });
      }
    })();
  }, []);

  let main;
  if (session === 'checking') {
    main = null;
  } else if (session === 'signed-out') {
    main = (
      <section className="panel empty-state">
        <h1>Signed out</h1>
        <p>
          Sign in to Gatehouse first (<a href="/login">log in</a>), then open this page again.
        </p>
      </section>
    );
  } else if (session.error) {
    main = (
      <div className="callout callout-danger" role="alert">
        <p className="callout-title">Gatehouse is unavailable</p>
        <p>{session.error.toastText}</p>
      </div>
    );
  } else {
    const allowed = !!(session.capabilities.navLinks && session.capabilities.navLinks.securitySolutionUI);
    main = (
      <div className="page">
        <header className="page-header">
          <h1>Entity analytics</h1>
          <p className="muted">Risky hosts, users and services, ranked into leads worth hunting.</p>
        </header>
        {allowed ? (
          <LeadsSection toasts={toasts} />
        ) : (
          <section className="panel empty-state">
            <h2>You cannot open Entity analytics</h2>
            <p>Your roles do not grant the Security feature privilege (securitySolution) in this space.</p>
          </section>
        )}
      </div>
    );
  }
  const user = session && session.user;
  return (
    <>
      <ToastRegion toasts={toasts} />
      <header className="app-header">
        <span className="brand">
          <span className="brand-name">Gatehouse (React reference)</span>
        </span>
        {user && (
          <div className="header-user">
            <span className="user-name">{user.full_name && user.full_name.trim() ? user.full_name : user.username}</span>
          </div>
        )}
      </header>
      <main className="app-main" id="main">
        {main}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')).render(<App />);
