/** /account: what every signed-in user manages for themselves. */
import { useState } from 'react';
import { PageHeading } from '../../components/PageHeading.tsx';
import { ChangePasswordForm } from './ChangePasswordForm.tsx';
import { SessionsSection } from './SessionsSection.tsx';

/** My account: change password, then the user's sessions. */
export function AccountPage() {
  // A password change ends the other sessions; the list then reloads.
  const [sessionsVersion, setSessionsVersion] = useState(0);

  return (
    <>
      <PageHeading>My account</PageHeading>
      <ChangePasswordForm
        onChanged={() => setSessionsVersion((version) => version + 1)}
      />
      <SessionsSection reloadKey={sessionsVersion} />
    </>
  );
}
