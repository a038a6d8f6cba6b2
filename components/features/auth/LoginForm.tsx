'use client';

import { type FormEvent, useState } from 'react';

export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
    }).catch(() => null);
    if (response?.ok) {
      window.location.assign(next);
      return;
    }
    const body = await response?.json().catch(() => null);
    setError(body?.error ?? 'Breakwater did not answer; is the server running?');
    setBusy(false);
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Breakwater</h1>
      <label>
        Username
        <input name="username" autoComplete="username" defaultValue="admin" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
