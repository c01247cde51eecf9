import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, Line, LineChart } from 'recharts';
import { api, type Overview } from '../api.ts';
import { ChartFigure, chartColors, chartFrame } from '../components/ChartFigure.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Link } from '../components/Link.tsx';
import { LoadError, Loading, Page } from '../components/Page.tsx';
import { deviceTypeName } from '../device.ts';
import { countryName } from '../format.ts';
import type { Fmt } from '../i18n/fmt.ts';
import { useFmt } from '../i18n/I18n.tsx';
import type { MessageId } from '../i18n/messages/index.ts';
import { keys } from '../queries.ts';
import { useSearchParam } from '../router.ts';
import { adminTrail } from './trails.ts';

const periods = ['7', '30', '90'] as const;
type Period = (typeof periods)[number];
type EndedReason = keyof Overview['daily'][number]['ended'];

const reasonNames: Record<EndedReason, MessageId> = {
  'signed-out': 'overview.reason.signedOut',
  'signed-out-elsewhere': 'overview.reason.signedOutElsewhere',
  'password-changed': 'overview.reason.passwordChanged',
  admin: 'overview.reason.admin',
  'session-limit': 'overview.reason.sessionLimit',
  'idle-timeout': 'overview.reason.idleTimeout',
  lifetime: 'overview.reason.lifetime',
  'invalidated-all': 'overview.reason.invalidatedAll',
  'key-mismatch': 'overview.reason.keyMismatch',
  expired: 'overview.reason.expired',
};

/** "Jun 3": days are UTC days on the server, so they are shown as such (no shift into the viewer's zone). */
const dayLabel = (f: Fmt, day: string) => f.intl.formatDate(Date.parse(day), { month: 'short', day: 'numeric', timeZone: 'UTC' });
const num = (f: Fmt, n: number) => f.intl.formatNumber(n);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Admin → Overview (issue 13 item 8): how sessions are used, from the server's daily rollups. Each chart has a
 * table with the same numbers; the period lives in the address (`?days=`), like the other admin pages' filters.
 */
export function OverviewPage() {
  const f = useFmt();
  const { t } = f;
  const [daysParam, setDays] = useSearchParam('days');
  const days: Period = (periods as readonly string[]).includes(daysParam) ? (daysParam as Period) : '30';
  const overview = useQuery({ queryKey: keys.overview(days), queryFn: () => api.overview(days), placeholderData: (previous) => previous });

  return (
    <Page title={t('overview.title')} trail={adminTrail(t)} intro={t('overview.intro')}>
      <fieldset className="period-picker">
        <legend>{t('overview.period')}</legend>
        {periods.map((p) => (
          <label key={p} className="period-option">
            <input type="radio" name="overview-period" value={p} checked={days === p} onChange={() => setDays(p === '30' ? '' : p)} />
            {t('overview.lastDays', { days: Number(p) })}
          </label>
        ))}
      </fieldset>
      {overview.error ? <LoadError error={overview.error} onRetry={() => void overview.refetch()} /> : null}
      {overview.isPending ? <Loading /> : null}
      {overview.data ? <OverviewBody f={f} data={overview.data} /> : null}
    </Page>
  );
}

function OverviewBody({ f, data }: { f: Fmt; data: Overview }) {
  const { t } = f;
  const rows = data.daily.map((d) => ({ ...d, label: dayLabel(f, d.day) }));
  const signIns = sum(rows.map((d) => d.signIns));
  const failed = sum(rows.map((d) => d.failedSignIns));
  const reasons = (Object.keys(reasonNames) as EndedReason[]).filter((r) => rows.some((d) => d.ended[r] > 0));
  const ended = sum(rows.flatMap((d) => reasons.map((r) => d.ended[r])));
  const endedRows = rows.map((d) => ({ label: d.label, day: d.day, ...d.ended }));
  const boundShare = data.activeSessions > 0 ? data.boundSessions / data.activeSessions : 0;
  const percent = (share: number) => f.intl.formatNumber(share, { style: 'percent', maximumFractionDigits: 1 });
  const countries = data.countries.map((c) => ({ label: c.countryCode ? (countryName(f, { countryCode: c.countryCode, country: null }) ?? c.countryCode) : t('place.unknown'), sessions: c.sessions }));
  const devices = data.deviceTypes.map((d) => ({ label: deviceTypeName(t, d.deviceType ?? 'unknown'), sessions: d.sessions }));
  const latestActive = [...rows].reverse().find((d) => d.activeSessions !== null);
  const firstActive = rows.find((d) => d.activeSessions !== null);
  const peopleTitle = t('overview.people.title');

  return (
    <>
      <dl className="overview-figures">
        <Figure label={t('overview.figure.active')} value={num(f, data.activeSessions)} />
        <Figure label={t('overview.figure.bound')} value={percent(boundShare)} note={t('overview.figure.boundNote', { bound: data.boundSessions, active: data.activeSessions })} />
        <Figure label={t('overview.figure.signIns')} value={num(f, signIns)} />
        <Figure label={t('overview.figure.failed')} value={num(f, failed)} />
        <Figure label={t('overview.figure.ended')} value={num(f, ended)} />
      </dl>

      <div className="overview-grid">
        <ChartFigure
          title={t('overview.active.title')}
          summary={t('overview.active.summary', { from: firstActive?.activeSessions ?? 0, to: latestActive?.activeSessions ?? 0, days: rows.length })}
          chart={
            <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              {chartFrame({ legend: true })}
              {/* Straight lines between the days' snapshots, a dot on each: a smoothed curve would invent values in between. */}
              <Line type="linear" dataKey="activeSessions" name={t('overview.series.active')} stroke={chartColors[0]} strokeWidth={2} dot={{ r: 2, fill: chartColors[0] }} connectNulls isAnimationActive={false} />
              <Line type="linear" dataKey="boundSessions" name={t('overview.series.bound')} stroke={chartColors[1]} strokeWidth={2} strokeDasharray="5 3" dot={{ r: 2, fill: chartColors[1] }} connectNulls isAnimationActive={false} />
            </LineChart>
          }
          table={(caption) => (
            <DayTable f={f} caption={caption} rows={rows} columns={[
              { name: t('overview.series.active'), value: (d) => d.activeSessions },
              { name: t('overview.series.bound'), value: (d) => d.boundSessions },
            ]} />
          )}
        />

        <ChartFigure
          title={t('overview.signIns.title')}
          summary={t('overview.signIns.summary', { ok: signIns, failed, days: rows.length })}
          chart={
            <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              {chartFrame({ legend: true })}
              <Bar dataKey="signIns" stackId="s" name={t('overview.series.signIns')} fill={chartColors[0]} isAnimationActive={false} />
              <Bar dataKey="failedSignIns" stackId="s" name={t('overview.series.failed')} fill={chartColors[3]} isAnimationActive={false} />
            </BarChart>
          }
          table={(caption) => (
            <DayTable f={f} caption={caption} rows={rows} columns={[
              { name: t('overview.series.signIns'), value: (d) => d.signIns },
              { name: t('overview.series.failed'), value: (d) => d.failedSignIns },
            ]} />
          )}
        />

        <ChartFigure
          title={t('overview.ended.title')}
          summary={reasons.length === 0 ? t('overview.ended.none') : t('overview.ended.summary', { count: ended, days: rows.length, reasons: reasons.map((r) => `${t(reasonNames[r])} ${sum(rows.map((d) => d.ended[r]))}`).join(', ') })}
          chart={
            <BarChart data={endedRows} accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              {chartFrame({ legend: true })}
              {reasons.map((r, i) => (
                <Bar key={r} dataKey={r} stackId="e" name={t(reasonNames[r])} fill={chartColors[i % chartColors.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          }
          table={(caption) =>
            reasons.length === 0 ? (
              <p className="empty">{t('overview.ended.none')}</p>
            ) : (
              <DayTable f={f} caption={caption} rows={rows} columns={reasons.map((r) => ({ name: t(reasonNames[r]), value: (d: (typeof rows)[number]) => d.ended[r] }))} />
            )
          }
        />

        <ChartFigure
          title={t('overview.countries.title')}
          summary={groupSummary(f, countries)}
          height={Math.max(120, 36 * countries.length + 40)}
          chart={
            <BarChart data={countries} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              {chartFrame({ vertical: true })}
              <Bar dataKey="sessions" name={t('overview.series.sessions')} fill={chartColors[0]} isAnimationActive={false} />
            </BarChart>
          }
          table={(caption) => <GroupTable f={f} caption={caption} head={t('overview.col.country')} rows={countries} />}
        />

        <ChartFigure
          title={t('overview.devices.title')}
          summary={groupSummary(f, devices)}
          height={Math.max(120, 36 * devices.length + 40)}
          chart={
            <BarChart data={devices} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              {chartFrame({ vertical: true })}
              <Bar dataKey="sessions" name={t('overview.series.sessions')} fill={chartColors[2]} isAnimationActive={false} />
            </BarChart>
          }
          table={(caption) => <GroupTable f={f} caption={caption} head={t('overview.col.deviceType')} rows={devices} />}
        />

        <section className="panel chart-figure" aria-labelledby="top-people">
          <h2 id="top-people" className="chart-title">
            {peopleTitle}
          </h2>
          {data.topUsers.namesShown ? null : <p className="muted">{t('overview.people.hidden')}</p>}
          <DataTable
            caption={peopleTitle}
            stackOnMobile={false}
            empty={t('overview.people.none')}
            rows={data.topUsers.users}
            rowKey={(u, i) => u.user?.id ?? i}
            columns={[
              {
                key: 'person',
                header: t('field.person'),
                rowHeader: true,
                cell: (u, i) =>
                  u.user ? (
                    // The person's page (their sessions, recent events, keys), as far as the caller's permissions go.
                    <Link to={`/admin/people/${encodeURIComponent(u.user.id)}`}>{u.user.name && u.user.name !== u.user.email ? u.user.name : u.user.email}</Link>
                  ) : (
                    t('overview.people.anonymous', { rank: i + 1 })
                  ),
              },
              { key: 'sessions', header: t('overview.col.sessions'), numeric: true, cell: (u) => num(f, u.sessions) },
            ]}
          />
        </section>
      </div>
    </>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="panel overview-figure">
      <dt>{label}</dt>
      <dd>
        <span className="overview-value">{value}</span>
        {note ? <span className="muted overview-note">{note}</span> : null}
      </dd>
    </div>
  );
}

function groupSummary(f: Fmt, rows: { label: string; sessions: number }[]): string {
  if (rows.length === 0) return f.t('overview.noSessions');
  return rows.map((r) => `${r.label} ${num(f, r.sessions)}`).join(', ');
}

/** The numbers behind a chart over days: a row per day, a column per series ("–" where a day has no value). */
function DayTable<R extends { day: string; label: string }>({ f, caption, rows, columns }: { f: Fmt; caption: string; rows: R[]; columns: { name: string; value: (row: R) => number | null }[] }) {
  return (
    <DataTable
      caption={caption}
      className="chart-data"
      stackOnMobile={false}
      rows={rows}
      rowKey={(r) => r.day}
      columns={[
        { key: 'day', header: f.t('overview.col.day'), rowHeader: true, cell: (r) => r.label },
        ...columns.map((c) => ({
          key: c.name,
          header: c.name,
          numeric: true,
          cell: (r: R) => {
            const v = c.value(r);
            return v === null ? '–' : num(f, v);
          },
        })),
      ]}
    />
  );
}

/** The numbers behind a chart by group (country, device type): a row per group, with its sessions. */
function GroupTable({ f, caption, head, rows }: { f: Fmt; caption: string; head: string; rows: { label: string; sessions: number }[] }) {
  return (
    <DataTable
      caption={caption}
      className="chart-data"
      stackOnMobile={false}
      empty={f.t('overview.noSessions')}
      rows={rows}
      rowKey={(r) => r.label}
      columns={[
        { key: 'group', header: head, rowHeader: true, cell: (r) => r.label },
        { key: 'sessions', header: f.t('overview.col.sessions'), numeric: true, cell: (r) => num(f, r.sessions) },
      ]}
    />
  );
}
