import { AlertRules } from '@/components/features/alerts/AlertRules';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'Alerts · Breakwater' };

export default async function AlertsPage() {
  await requireUser();
  return (
    <>
      <h1>Alerts</h1>
      <AlertRules />
    </>
  );
}
