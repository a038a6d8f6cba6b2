import Link from 'next/link';

/**
 * The branded 404, shared by the root (any unknown address) and the signed-in pages (an integration, call
 * or job that does not exist in this workspace). Next answers it with HTTP 404.
 */
export function NotFoundPage({ detail }: { detail: string }) {
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <svg className="not-found-mark" viewBox="0 0 32 32" aria-hidden="true">
        <path d="M3 20c3.5 0 4.5-4 8-4s4.5 4 8 4 4.5-4 8-4v11H3z" fill="var(--accent)" />
        <rect x="20" y="6" width="5" height="14" rx="1" fill="var(--text)" />
      </svg>
      <p className="muted">Breakwater · 404</p>
      <h1 id="not-found-title">Not found</h1>
      <p className="muted">{detail}</p>
      <p>
        <Link href="/">Back to the overview</Link> · <Link href="/explorer">Search calls in the explorer</Link>
      </p>
    </section>
  );
}
