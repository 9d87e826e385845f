/** Any address the app does not know. */
import { Link } from 'react-router';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';

/** Any unknown address. */
export function NotFoundPage() {
  return (
    <PublicLayout>
      <PageHeading>Page not found</PageHeading>
      <p>
        Check the address, or go to <Link to="/">Callvault’s home page</Link>.
      </p>
    </PublicLayout>
  );
}
