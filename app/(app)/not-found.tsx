import { NotFoundPage } from '@/components/shell/NotFoundPage';

export default function NotFound() {
  return (
    <NotFoundPage detail="No integration, call or job by that name in this workspace: it may have been deleted, belong to another workspace, or have aged out of the call log." />
  );
}
