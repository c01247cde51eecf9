import { useId, type ReactElement, type ReactNode } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useT } from '../i18n/I18n.tsx';

/**
 * Chart colours are custom properties (styles.css, `--chart-*`), so light and dark themes each get series that keep
 * 3:1 against their own background; SVG presentation attributes accept `var()`.
 */
export const chartColors = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)', 'var(--chart-7)', 'var(--chart-8)', 'var(--chart-9)', 'var(--chart-10)'];

/** Axes, grid, tooltip and legend in the theme's colours (Recharts' defaults are fixed greys, unreadable in dark mode). */
export function chartFrame(options: { vertical?: boolean; legend?: boolean } = {}): ReactNode[] {
  const tick = { fill: 'var(--muted)', fontSize: 12 };
  const axis = { stroke: 'var(--border-strong)', tick };
  return [
    <CartesianGrid key="grid" stroke="var(--row-border)" vertical={!!options.vertical} horizontal={!options.vertical} />,
    options.vertical ? <XAxis key="x" type="number" allowDecimals={false} {...axis} /> : <XAxis key="x" dataKey="label" {...axis} minTickGap={16} />,
    options.vertical ? <YAxis key="y" type="category" dataKey="label" width={120} {...axis} /> : <YAxis key="y" allowDecimals={false} width={44} {...axis} />,
    <Tooltip
      key="tooltip"
      cursor={{ fill: 'var(--hover)', stroke: 'var(--border-strong)' }}
      contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 'var(--radius)', color: 'var(--text)' }}
      labelStyle={{ color: 'var(--text)', fontWeight: 600 }}
      itemStyle={{ color: 'var(--text)' }}
    />,
    // In the order the series are drawn (bottom of the stack first), not alphabetically.
    options.legend ? <Legend key="legend" itemSorter={null} wrapperStyle={{ color: 'var(--text)', fontSize: 13 }} /> : null,
  ].filter(Boolean);
}

/**
 * One chart of the overview, readable without it: the figure is named by its heading, the drawing is one image
 * whose accessible name says what it shows (its parts are not navigable one by one), and the same numbers are a
 * table behind "Show the numbers" (a native `<details>`: keyboard and screen readers know it). The table is given
 * the title as its caption, so a screen reader's list of tables names it too.
 */
export function ChartFigure({ title, summary, chart, table, height = 260 }: { title: string; summary: string; chart: ReactElement; table: (caption: string) => ReactNode; height?: number }) {
  const t = useT();
  const id = useId();
  return (
    <figure className="panel chart-figure" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="chart-title">
        {title}
      </h2>
      <div className="chart-area" role="img" aria-label={summary} style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          {chart}
        </ResponsiveContainer>
      </div>
      <details className="chart-table">
        <summary>{t('overview.showTable')}</summary>
        <div className="table-scroll">{table(title)}</div>
      </details>
    </figure>
  );
}
