/**
 * Guards the Settings pages. The server refuses the calls anyway (403);
 * this says so plainly instead of showing empty pages.
 */
import { Outlet } from 'react-router';
import { isAdministrator, useMe } from './MeContext.ts';
import { PageHeading } from './PageHeading.tsx';

/** Shows the nested page to administrators only. */
export function RequireAdministrator() {
  const me = useMe();
  if (isAdministrator(me)) return <Outlet />;

  return (
    <>
      <PageHeading>You cannot open this page</PageHeading>
      <p>Only administrators can change Callvault’s settings.</p>
    </>
  );
}
