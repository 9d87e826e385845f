/**
 * Who switching to Email MFA would touch, shown as soon as it is chosen
 * and before anything is saved: how many users' next sign-in changes, and
 * who has not confirmed their email address yet.
 */
import { useEffect, useState } from 'react';
import type { SecurityImpact } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';

type Loaded =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'loaded'; impact: SecurityImpact };

/** A polite live region, so the preview is heard as well as seen. */
export function TwoFactorImpact({ show }: { show: boolean }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    if (!show) return;
    let current = true;
    setLoaded({ state: 'loading' });
    api
      .get<SecurityImpact>('/api/settings/security/impact?twoFactor=email')
      .then((impact) => current && setLoaded({ state: 'loaded', impact }))
      .catch(
        (caught) =>
          current &&
          setLoaded({ state: 'failed', message: toApiError(caught).message }),
      );
    return () => {
      current = false;
    };
  }, [show]);

  return (
    <div className="impact" aria-live="polite">
      {show && <ImpactText loaded={loaded} />}
    </div>
  );
}

function ImpactText({ loaded }: { loaded: Loaded }) {
  if (loaded.state === 'loading') {
    return <p className="loading">Counting who this affects…</p>;
  }
  if (loaded.state === 'failed') return <p>{loaded.message}</p>;

  const { affectedUsers, withoutConfirmedEmail, withoutConfirmedEmailTotal } =
    loaded.impact;
  const users = affectedUsers === 1 ? '1 user' : `${affectedUsers} users`;
  const more = withoutConfirmedEmailTotal - withoutConfirmedEmail.length;

  return (
    <>
      <h2>Who Email MFA affects</h2>
      <p>
        {users} will be asked for a security code at their next sign-in.
        People signed in now stay signed in until their session ends.
      </p>
      {withoutConfirmedEmailTotal === 0 ? (
        <p>Every user has confirmed their email address.</p>
      ) : (
        <>
          <p>
            {withoutConfirmedEmailTotal === 1
              ? '1 user has'
              : `${withoutConfirmedEmailTotal} users have`}{' '}
            not confirmed their email address yet (still Invited); their
            code will go to the address they were invited at:
          </p>
          <ul aria-label="Users without a confirmed email address">
            {withoutConfirmedEmail.map((user) => (
              <li key={user.id}>
                {user.name === user.email
                  ? user.email
                  : `${user.name} (${user.email})`}
              </li>
            ))}
          </ul>
          {more > 0 && <p>and {more} more.</p>}
        </>
      )}
    </>
  );
}
