import { z } from 'zod';

/** Which dead letters a bulk replay or discard applies to: listed ids, or a filter. */
export const deadLetterSelectionSchema = z
  .object({
    ids: z.array(z.string().min(1).max(100)).min(1).max(500).optional(),
    integration: z.string().trim().min(1).max(100).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    all: z.boolean().optional(),
  })
  .refine((s) => s.ids || s.integration || s.q || s.all, {
    message: 'give ids, a filter (integration, q) or all: true',
    path: ['ids'],
  });
