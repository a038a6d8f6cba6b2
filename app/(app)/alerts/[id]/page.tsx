import { RuleEditor } from '@/components/features/alerts/RuleEditor';
import { metricChoices } from '@/lib/alerts';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'Alert rule · Breakwater' };

export default async function RulePage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  return (
    <>
      <h1>Alert rule</h1>
      <RuleEditor id={(await params).id} metrics={metricChoices()} />
    </>
  );
}
