import { z } from 'zod';
import type { Db } from '@/lib/db';
import { DomainError, ENVIRONMENTS, type Environment } from '@/lib/model';
import { fromRow, type Integration } from './rows';
import { refuseManaged } from './service';
import { publishIntegrationChange } from './snapshot';

/** POST /api/integrations/[slug]/environment */
export const environmentSwitchSchema = z.object({ environment: z.enum(ENVIRONMENTS) });

/** A switch to a sandbox the integration does not have (400, field `environment`). */
export class NoSandboxError extends DomainError {
  constructor(slug: string) {
    super(`integration "${slug}" has no sandbox target: configure one first`, 400, 'invalid', 'environment');
  }
}

export interface EnvironmentSwitchView {
  fromEnvironment: string;
  toEnvironment: string;
  actor: string;
  at: Date;
}

/**
 * Makes `environment` the integration's active one and records who switched it. The config version is
 * bumped, so every instance's data plane sends to the new target within one poll (this one at once).
 * Switching to the active environment changes nothing and records nothing. Null when the integration is
 * absent from the workspace.
 */
export async function switchEnvironment(
  db: Db,
  workspaceId: string,
  slug: string,
  environment: Environment,
  actor: string,
): Promise<{ integration: Integration; switched: boolean } | null> {
  const row = await db.integration.findUnique({ where: { workspaceId_slug: { workspaceId, slug } } });
  if (!row) return null;
  const current = fromRow(row);
  refuseManaged(current.slug);
  if (environment === 'sandbox' && !current.sandbox) throw new NoSandboxError(slug);
  if (current.activeEnvironment === environment) return { integration: current, switched: false };
  const [updated] = await db.$transaction([
    db.integration.update({ where: { id: row.id }, data: { activeEnvironment: environment } }),
    db.environmentSwitch.create({
      data: { integrationId: row.id, fromEnvironment: current.activeEnvironment, toEnvironment: environment, actor },
    }),
  ]);
  await publishIntegrationChange(db);
  return { integration: fromRow(updated), switched: true };
}

/** The integration's latest environment switches, newest first. */
export async function environmentSwitches(db: Db, integrationId: string, take = 10): Promise<EnvironmentSwitchView[]> {
  return db.environmentSwitch.findMany({
    where: { integrationId },
    orderBy: { at: 'desc' },
    take,
    select: { fromEnvironment: true, toEnvironment: true, actor: true, at: true },
  });
}
