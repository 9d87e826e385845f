/**
 * The frame of every signed-in page: skip link, header, application menu
 * and main content. It loads the signed-in user once for all pages.
 */
import { useEffect, useState } from 'react';
import { Link, Outlet } from 'react-router';
import type { Me } from '../../api/schemas.ts';
import { api, toApiError } from '../api.ts';
import { displayName } from '../format.ts';
import { AppMenu } from './AppMenu.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { MeContext } from './MeContext.ts';
import { PageHeading } from './PageHeading.tsx';
import { SignOutButton } from './SignOutButton.tsx';
import { SkipLink } from './SkipLink.tsx';

/** Header, menu and main around the signed-in page. */
export function SignedInLayout() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api
      .get<Me>('/api/me')
      .then((loaded) => current && setMe(loaded))
      .catch((caught) => current && setError(toApiError(caught).message));
    return () => {
      current = false;
    };
  }, []);

  if (me === null) return <Loading error={error} />;

  return (
    <MeContext value={me}>
      <SkipLink />
      <header className="app-header">
        <Link to="/" className="brand">
          Callvault
        </Link>
        <div className="app-header-user">
          <span>{displayName(me)}</span>
          <SignOutButton />
        </div>
      </header>
      <div className="app-body">
        <AppMenu />
        <main id="main" className="app-main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </MeContext>
  );
}

/** While the user loads: a frame without a menu, or what went wrong. */
function Loading({ error }: { error: string | null }) {
  return (
    <>
      <header className="app-header">
        <p className="brand">Callvault</p>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {error === null ? (
          <p className="loading">Loading…</p>
        ) : (
          <>
            <PageHeading>Callvault could not load your account</PageHeading>
            <ErrorAlert message={error} />
          </>
        )}
      </main>
    </>
  );
}
