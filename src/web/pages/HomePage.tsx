/** Home: a greeting for now; the call-recording library comes later. */
import { useMe } from '../components/MeContext.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { formatRoles } from '../format.ts';

/** /: a welcome and the user's roles. */
export function HomePage() {
  const me = useMe();
  const name = me.firstName.trim() === '' ? me.email : me.firstName;

  return (
    <>
      <PageHeading title="Home">{`Welcome, ${name}`}</PageHeading>
      <p>Your roles: {formatRoles(me.roles)}</p>
      <p className="muted">The call recordings library is not available yet.</p>
    </>
  );
}
