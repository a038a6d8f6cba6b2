import { z } from 'zod';

// Every instant the API accepts lies in this window: far wider than any real data, and well inside what
// JavaScript's Date, SQLite and PostgreSQL's timestamp can all hold, so no query ever fails in the database.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

/** A date given as ISO text (or epoch milliseconds in JSON), between 2000-01-01 and 2200-01-01. */
export const instantSchema = z.coerce
  .date({ message: 'must be a date' })
  .refine((date) => date.getTime() >= EARLIEST && date.getTime() < LATEST, {
    message: 'must be between 2000-01-01 and 2200-01-01',
  });

/**
 * The `from`/`to` query of every route that reads a time range: `to` defaults to now and must be after
 * `from`; `from` is required unless `defaultSpanMs` gives it (that long before `to`); `maxRangeMs` bounds
 * the span. Extra query fields of the route go in `extra`.
 */
export function rangeQuerySchema<Extra extends z.ZodRawShape>(
  extra: Extra,
  { maxRangeMs, defaultSpanMs }: { maxRangeMs?: number; defaultSpanMs?: number } = {},
) {
  return z
    .object({
      ...extra,
      from: defaultSpanMs === undefined ? instantSchema : instantSchema.optional(),
      to: instantSchema.optional(),
    })
    .transform((query) => {
      // The generic extra fields hide from and to from the type checker; they are the two fields above.
      const range = query as { from?: Date; to?: Date };
      const to = range.to ?? new Date();
      const from = range.from ?? new Date(to.getTime() - (defaultSpanMs ?? 0));
      return { ...query, from, to };
    })
    .superRefine((query, ctx) => {
      if (query.to <= query.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (maxRangeMs !== undefined && query.to.getTime() - query.from.getTime() > maxRangeMs)
        ctx.addIssue({
          code: 'custom',
          path: ['from'],
          message: `the range is at most ${Math.round(maxRangeMs / 86_400_000)} days`,
        });
    });
}
