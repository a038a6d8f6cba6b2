'use client';

import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { sendJson } from '@/components/ui/api';
import { FormError } from '@/components/ui/FormError';

/** Accepts an invitation: a new user chooses a name and password; a signed-in user just joins. */
export function AcceptInviteForm({
  token,
  workspace,
  role,
  signedInAs,
}: {
  token: string;
  workspace: { slug: string; name: string };
  role: string;
  signedInAs: string | null;
}) {
  const accept = useMutation({
    mutationFn: (body: { username?: string; password?: string }) =>
      sendJson<{ workspace: { slug: string } }>(`/api/invites/${encodeURIComponent(token)}`, 'POST', body),
    onSuccess: ({ workspace: joined }) => {
      window.location.assign(`/?ws=${encodeURIComponent(joined.slug)}`);
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    accept.mutate(signedInAs ? {} : { username: String(form.get('username')), password: String(form.get('password')) });
  }

  return (
    // method="post": a submit before the page is interactive must not put the password in the URL.
    <form className="panel login-form" method="post" onSubmit={submit} aria-label="Accept invitation">
      <h1>Join {workspace.name}</h1>
      <p className="muted">
        You are invited to the workspace <strong>{workspace.name}</strong> as <strong>{role}</strong>.
      </p>
      {signedInAs ? (
        <p>
          You are signed in as <strong>{signedInAs}</strong>; accepting adds this workspace to your account.
        </p>
      ) : (
        <>
          <label>
            Username
            <input name="username" autoComplete="username" required maxLength={64} />
          </label>
          <label>
            Password (at least 12 characters)
            <input name="password" type="password" autoComplete="new-password" minLength={12} required />
          </label>
        </>
      )}
      <button type="submit" disabled={accept.isPending}>
        Accept invitation
      </button>
      <FormError error={accept.error} />
    </form>
  );
}
