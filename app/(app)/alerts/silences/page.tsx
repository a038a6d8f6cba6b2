import { SilenceManager } from '@/components/features/alerts/SilenceManager';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'Silences · Breakwater' };

export default async function SilencesPage() {
  await requireUser();
  return (
    <>
      <h1>Silences and maintenance windows</h1>
      <p className="muted">Silenced alerts still evaluate and show as silenced; they send no notifications.</p>
      <SilenceManager />
    </>
  );
}
