import Link from 'next/link';
import { JobDetail } from '@/components/JobDetail';

type Props = { params: Promise<{ id: string }> };

export const metadata = { title: 'Job · Breakwater' };

export default async function JobPage({ params }: Props) {
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
