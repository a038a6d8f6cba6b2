import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel empty">
      <h1>Not found</h1>
      <p className="muted">
        No integration or call by that name: it may have been deleted, or the call log has aged out.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
