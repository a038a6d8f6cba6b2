import Link from 'next/link';
import { JobDetail } from '@/components/features/jobs/JobDetail';
import { requireUser } from '@/lib/auth';

type Props = { params: Promise<{ id: string }> };

export const metadata = { title: 'Job · Breakwater' };

export default async function JobPage({ params }: Props) {
  await requireUser();
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
