import { SilenceManager } from '@/components/features/alerts/SilenceManager';
import { requireAccess } from '@/lib/auth';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Silences · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function SilencesPage({ searchParams }: Props) {
  const { role } = await requireAccess((await searchParams).ws);
  return (
    <>
      <h1>Silences and maintenance windows</h1>
      <p className="muted">Silenced alerts still evaluate and show as silenced; they send no notifications.</p>
      <SilenceManager canAct={!!role && roleAtLeast(role, 'operator')} />
    </>
  );
}
