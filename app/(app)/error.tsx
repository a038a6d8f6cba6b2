'use client';

export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">
        The page could not be rendered{error.digest ? ` (reference ${error.digest})` : ''}. The server log has the
        details.
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
