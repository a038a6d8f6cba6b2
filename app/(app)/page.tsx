import { OverviewGrid } from '@/components/OverviewGrid';

export const metadata = { title: 'Overview · Breakwater' };

export default function OverviewPage() {
  return (
    <>
      <h1>Integrations</h1>
      <OverviewGrid />
    </>
  );
}
