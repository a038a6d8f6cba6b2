import { notFound } from 'next/navigation';
import { RuleEditor } from '@/components/features/alerts/RuleEditor';
import { findRule, metricChoices } from '@/lib/alerts';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Alert rule · Breakwater' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ ws?: string | string[] }> };

/** The rule editor: editors and up; another workspace's rule is not found. */
export default async function RulePage({ params, searchParams }: Props) {
  const { workspace } = await requireAccess((await searchParams).ws, 'editor');
  if (!(await findRule(getDb(), workspace.id, (await params).id))) notFound();
  return (
    <>
      <h1>Alert rule</h1>
      <RuleEditor id={(await params).id} metrics={metricChoices()} />
    </>
  );
}
