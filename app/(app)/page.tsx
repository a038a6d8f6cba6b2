import { IntegrationTable } from '@/components/IntegrationTable';

export const metadata = { title: 'Overview · Breakwater' };

export default function OverviewPage() {
  return (
    <>
      <h1>Integrations</h1>
      <IntegrationTable />
    </>
  );
}
