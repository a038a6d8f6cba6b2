import { z } from 'zod';

type PlainObject = Record<string, unknown>;

/** What a PATCH body may hold for an object of type T: any subset of its fields, nested objects too. */
export type Patch<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[]
    ? T[K]
    : T[K] extends PlainObject
      ? Patch<T[K]>
      : T[K] extends PlainObject | null
        ? Patch<NonNullable<T[K]>> | null
        : T[K];
};

/** Peels defaults, prefaults and optional/nullable wrappers; an object inside them comes back. */
function objectInside(field: z.ZodType): z.ZodObject | undefined {
  let inner: z.ZodType = field;
  for (;;) {
    if (inner instanceof z.ZodObject) return inner;
    if (
      inner instanceof z.ZodDefault ||
      inner instanceof z.ZodPrefault ||
      inner instanceof z.ZodOptional ||
      inner instanceof z.ZodNullable
    )
      inner = inner.unwrap() as z.ZodType;
    else return undefined;
  }
}

/** The field without its defaults, so a value the patch does not name is never filled in. */
function withoutDefaults(field: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let inner: z.ZodType = field;
  let nullable = false;
  for (;;) {
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional)
      inner = inner.unwrap() as z.ZodType;
    else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap() as z.ZodType;
    } else return { inner, nullable };
  }
}

function patchField(field: z.ZodType): z.ZodType {
  const { inner, nullable } = withoutDefaults(field);
  const patched = inner instanceof z.ZodObject ? patchOf(inner) : inner;
  return (nullable ? patched.nullable() : patched).optional();
}

/**
 * The PATCH schema of an object schema: every field optional, no default applied (zod's `.partial()` keeps
 * them, which would reset what the body does not name), nested objects patched the same way, and unknown
 * fields refused by name at any depth. Refinements of the whole are not repeated here: the merged result
 * (see applyPatch) is validated with the full schema.
 */
export function patchOf<S extends z.ZodObject>(schema: S): z.ZodType<Patch<z.output<S>>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [key, patchField(field as z.ZodType)]),
  );
  // Refused key by key (not zod's strict mode, which blames the parent) so the 400 names the unknown field.
  return z.looseObject(shape).superRefine((value, ctx) => {
    for (const key of Object.keys(value))
      if (!(key in shape)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a known field' });
  }) as unknown as z.ZodType<Patch<z.output<S>>>;
}

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Merges a patch (parsed with patchOf(schema)) onto the stored object. A field the patch names replaces
 * the stored one, except a nested object of the schema (such as `policy.retry`), which is merged the same
 * way, field by field. Arrays, records, unions and `null` replace the stored value whole. The result is
 * unvalidated: parse it with the full schema, which fills defaults only where nothing is stored.
 */
export function applyPatch<T extends object>(schema: z.ZodObject, stored: T, patch: object): T {
  const merged = { ...stored } as PlainObject;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const nested = objectInside(schema.shape[key] as z.ZodType);
    merged[key] =
      nested && isPlainObject(value) && isPlainObject(merged[key]) ? applyPatch(nested, merged[key], value) : value;
  }
  return merged as T;
}
