import type { Db } from '@/lib/db';
import { findIntegration, type Integration, UnsafePathError } from '@/lib/integrations';
import { DomainError } from '@/lib/model';
import { assertSafePath } from './send';

/** A job or batch that names an integration that does not exist (400, naming the field). */
export class UnknownIntegrationError extends DomainError {
  constructor(slug: string) {
    super(`invalid integration: no integration "${slug}"`, 400, 'unknown_integration', 'integration');
  }
}

/**
 * The workspace's integration named by a job or batch, and its paths checked as the gateway would: bad input is
 * refused naming the field (UnknownIntegrationError, UnsafePathError) before anything is stored or sent.
 */
export async function resolveTarget(
  db: Db,
  workspaceId: string,
  slug: string,
  paths: { field: string; path: string }[],
): Promise<Integration> {
  // Another workspace's integration is as absent as one that does not exist.
  const integration = await findIntegration(db, workspaceId, slug);
  if (!integration) throw new UnknownIntegrationError(slug);
  for (const { field, path } of paths) {
    try {
      assertSafePath(integration, path);
    } catch (error) {
      if (error instanceof UnsafePathError) throw new UnsafePathError(`invalid ${field}: ${error.message}`, field);
      throw error;
    }
  }
  return integration;
}
