/**
 * Settings › Users › Add New User, or Edit {name}. The page loads the
 * user to edit; UserForm holds the form itself.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { UserRow } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeading } from '../../components/PageHeading.tsx';
import { displayName } from '../../format.ts';
import { DeleteUser } from './DeleteUser.tsx';
import { SendPasswordReset } from './SendPasswordReset.tsx';
import { SignOutEverywhere } from './SignOutEverywhere.tsx';
import { UserForm } from './UserForm.tsx';
import { NEW_USER, valuesOf } from './userForm.ts';

/** Remounts the page per user, so no state leaks from one to the next. */
export function UserFormRoute() {
  const { id } = useParams();
  return <UserFormPage key={id ?? 'new'} userId={id} />;
}

function UserFormPage({ userId }: { userId: string | undefined }) {
  if (userId === undefined) {
    return (
      <>
        <PageHeading>Add New User</PageHeading>
        <UserForm userId={undefined} loaded={NEW_USER} />
      </>
    );
  }
  return <EditUser userId={userId} />;
}

function EditUser({ userId }: { userId: string }) {
  const [user, setUser] = useState<UserRow | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api
      .get<UserRow>(`/api/users/${encodeURIComponent(userId)}`)
      .then((loaded) => current && setUser(loaded))
      .catch((caught) => current && setError(toApiError(caught).message));
    return () => {
      current = false;
    };
  }, [userId]);

  const heading = user === null ? 'Edit user' : `Edit ${displayName(user)}`;

  return (
    <>
      <PageHeading>{heading}</PageHeading>
      {user === null && error === null && <p className="loading">Loading…</p>}
      {error !== null && (
        <>
          <ErrorAlert message={error} />
          <p>
            <Link to="/settings/users">Back to users</Link>
          </p>
        </>
      )}
      {user !== null && (
        <UserForm
          userId={userId}
          loaded={valuesOf(user)}
          name={displayName(user)}
        />
      )}
      {user?.status === 'active' && (
        <SendPasswordReset userId={userId} email={user.email} />
      )}
      {user !== null && (
        <>
          <SignOutEverywhere userId={userId} name={displayName(user)} />
          <DeleteUser userId={userId} name={displayName(user)} />
        </>
      )}
    </>
  );
}
