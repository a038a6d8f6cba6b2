import { AlertRules } from '@/components/alerts/AlertRules';

export const metadata = { title: 'Alerts · Breakwater' };

export default function AlertsPage() {
  return (
    <>
      <h1>Alerts</h1>
      <AlertRules />
    </>
  );
}
