import type { ReactNode } from 'react';
import { FormError } from './FormError';

interface DataTableProps<Row> {
  /** the table's accessible name; also names what is loading or failed */
  label: string;
  columns: ReactNode[];
  rows: Row[] | undefined;
  pending?: boolean;
  error?: Error | null;
  empty: ReactNode;
  children: (row: Row) => ReactNode;
}

/** A list read from the API: loading, failure and empty states, then a scrollable table of rows. */
export function DataTable<Row>({ label, columns, rows, pending, error, empty, children }: DataTableProps<Row>) {
  return (
    <>
      {pending && <p className="muted">Loading {label.toLowerCase()}…</p>}
      <FormError error={error} prefix={`Could not load ${label.toLowerCase()}: `} />
      {rows && rows.length === 0 && <p className="muted empty">{empty}</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label={label}>
            <thead>
              <tr>
                {columns.map((column, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are a fixed list
                  <th key={i}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>{rows.map(children)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}
