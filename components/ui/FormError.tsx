/** A failed request's message, announced to screen readers. */
export function FormError({ error, prefix }: { error: Error | null | undefined; prefix?: string }) {
  if (!error) return null;
  return (
    <p className="alert" role="alert">
      {prefix}
      {error.message}
    </p>
  );
}
