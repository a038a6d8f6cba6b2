import { jsonError } from '@/lib/api';
import type { Db } from '@/lib/db';
import { findIntegration, type Integration, UnsafePathError } from '@/lib/integrations';
import { assertSafePath } from './send';

/**
 * The integration named by a job or batch, and its paths checked as the gateway would: bad input is
 * answered with 400 naming the field before anything is stored or sent.
 */
export async function resolveTarget(
  db: Db,
  slug: string,
  paths: { field: string; path: string }[],
): Promise<{ ok: true; integration: Integration } | { ok: false; response: Response }> {
  const integration = await findIntegration(db, slug);
  if (!integration)
    return {
      ok: false,
      response: jsonError(400, `invalid integration: no integration "${slug}"`, { field: 'integration' }),
    };
  for (const { field, path } of paths) {
    try {
      assertSafePath(integration, path);
    } catch (error) {
      if (error instanceof UnsafePathError)
        return { ok: false, response: jsonError(400, `invalid ${field}: ${error.message}`, { field }) };
      throw error;
    }
  }
  return { ok: true, integration };
}
