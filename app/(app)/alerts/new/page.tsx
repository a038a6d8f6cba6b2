import { RuleForm } from '@/components/features/alerts/RuleForm';
import { BUDGET_RULES, metricChoices } from '@/lib/alerts';
import { requireAccess } from '@/lib/auth';

export const metadata = { title: 'New alert rule · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

/** Editors and up (others: not found). */
export default async function NewRulePage({ searchParams }: Props) {
  await requireAccess((await searchParams).ws, 'editor');
  return (
    <>
      <h1>New alert rule</h1>
      <RuleForm metrics={metricChoices()} presets={BUDGET_RULES} />
    </>
  );
}
