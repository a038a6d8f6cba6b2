import { RuleForm } from '@/components/alerts/RuleForm';
import { metricChoices } from '@/lib/alerts';

export const metadata = { title: 'New alert rule · Breakwater' };

export default function NewRulePage() {
  return (
    <>
      <h1>New alert rule</h1>
      <RuleForm metrics={metricChoices()} />
    </>
  );
}
