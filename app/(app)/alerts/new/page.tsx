import { RuleForm } from '@/components/features/alerts/RuleForm';
import { metricChoices } from '@/lib/alerts';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'New alert rule · Breakwater' };

export default async function NewRulePage() {
  await requireUser();
  return (
    <>
      <h1>New alert rule</h1>
      <RuleForm metrics={metricChoices()} />
    </>
  );
}
