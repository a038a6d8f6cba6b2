import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret, SecretUnavailableError } from '@/lib/secrets';

/**
 * The signing secret of a job's completion webhook, or why it is refused (said by variable name only):
 * not exposed, not set, pinned to another origin, or an inbound source's verification secret. A job
 * stored before secrets had to be exposed stops signing here rather than leak.
 */
export async function completionSecret(
  db: Db,
  name: string | null,
  url: string,
): Promise<{ value: string } | { refused: string }> {
  if (!name) return { refused: 'no secret variable named' };
  try {
    const value = readSecret(name, { origin: url });
    await assertOutboundSecret(name, db);
    return { value };
  } catch (error) {
    if (!(error instanceof SecretUnavailableError)) throw error;
    log.warn({ variable: error.variable }, `completion webhook not sent: ${error.message}`);
    return { refused: error.message };
  }
}
