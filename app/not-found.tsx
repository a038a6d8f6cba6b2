import { NotFoundPage } from '@/components/shell/NotFoundPage';

export const metadata = { title: 'Not found · Breakwater' };

// Outside the signed-in shell (an unknown address, or an integration that is not there): its own main.
export default function NotFound() {
  return (
    <main id="main" className="not-found-shell">
      <NotFoundPage detail="There is nothing at this address: no such page, or no integration by that name in this workspace." />
    </main>
  );
}
