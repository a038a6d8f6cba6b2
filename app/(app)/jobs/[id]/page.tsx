import Link from 'next/link';
import { notFound } from 'next/navigation';
import { JobDetail } from '@/components/features/jobs/JobDetail';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findJob } from '@/lib/jobs';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export const metadata = { title: 'Job · Breakwater' };

/** Another workspace's job is not found. */
export default async function JobPage({ params, searchParams }: Props) {
  const { workspace } = await requireAccess((await searchParams).ws);
  if (!(await findJob(getDb(), workspace.id, (await params).id))) notFound();
  return (
    <>
      <p className="row">
        <Link href="/jobs">← Jobs</Link>
        <Link href="/dead-letters">Dead letters</Link>
      </p>
      <JobDetail id={(await params).id} />
    </>
  );
}
