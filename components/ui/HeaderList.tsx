import type { ReactNode } from 'react';

/** HTTP headers as a definition list, as stored or planned (credentials already "[redacted]"); rows before them first. */
export function HeaderList({ headers, children }: { headers: Record<string, string>; children?: ReactNode }) {
  return (
    <dl className="kv mono">
      {children}
      {Object.entries(headers).map(([name, value]) => (
        <div key={name} style={{ display: 'contents' }}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
