import type { ReactNode } from 'react';
import { useT } from '../i18n/I18n.tsx';

/** One column: its header, and what each row shows in it. */
export interface Column<Row> {
  /** Unique within the table (React's key). */
  key: string;
  /** The header, and on phones the label above each of the column's cells. */
  header: string;
  cell: (row: Row, index: number) => ReactNode;
  /** The column that names the row: `<th scope="row">`, which a screen reader reads out with every other cell of the row. */
  rowHeader?: boolean;
  /** Classes of the body cells (`mono`, `wrap-anywhere`, …). */
  className?: string;
  /** Right-aligned tabular digits, header and cells alike, so that figures line up. */
  numeric?: boolean;
}

export interface DataTableProps<Row> {
  /** Every table has a name: table navigation in a screen reader lists tables by their caption. */
  caption: string;
  /** Shown above the table; by default only read out (the section's heading already says it on screen). */
  showCaption?: boolean;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string | number;
  /** The row's buttons, in a last column whose header is read out but not shown (and whose cells are not labelled on phones). */
  actions?: (row: Row) => ReactNode;
  /** Said instead of the table when there are no rows; without it, an empty table is not shown at all. */
  empty?: ReactNode;
  /** One card per row on phones, each cell under its column's header (styles.css, `.stack-on-mobile`). On by default. */
  stackOnMobile?: boolean;
  className?: string;
}

/** A `.table`: the one place its markup (caption, `scope`, the phone layout's labels, the empty state) is written. */
export function DataTable<Row>({ caption, showCaption = false, columns, rows, rowKey, actions, empty, stackOnMobile = true, className }: DataTableProps<Row>) {
  const t = useT();
  if (rows.length === 0) return empty ? <p className="empty">{empty}</p> : null;
  return (
    <table className={classes('table', stackOnMobile && 'stack-on-mobile', className)}>
      <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.key} scope="col" className={classes(column.numeric && 'numeric')}>
              {column.header}
            </th>
          ))}
          {actions ? (
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row, index)}>
            {columns.map((column) => {
              const Cell = column.rowHeader ? 'th' : 'td';
              return (
                <Cell
                  key={column.key}
                  scope={column.rowHeader ? 'row' : undefined}
                  data-label={stackOnMobile ? column.header : undefined}
                  className={classes(column.className, column.numeric && 'numeric')}
                >
                  {column.cell(row, index)}
                </Cell>
              );
            })}
            {actions ? <td className="actions">{actions(row)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Class names that apply, or no attribute at all. */
function classes(...names: (string | false | undefined)[]): string | undefined {
  return names.filter(Boolean).join(' ') || undefined;
}
