/** The server's message for a field (or any of its sub-fields, e.g. "headers.x-key"), shown beside its input. */
export function FieldError({ fields, name }: { fields: Record<string, string>; name: string }) {
  const message = Object.entries(fields).find(([field]) => field === name || field.startsWith(`${name}.`))?.[1];
  return message ? (
    <span className="field-error" role="alert" data-testid={`error-${name}`}>
      {message}
    </span>
  ) : null;
}
