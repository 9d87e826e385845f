/**
 * The left-hand application menu: Home and My account for everyone,
 * Settings for administrators only; the server enforces that, the menu
 * just does not offer a dead end.
 */
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { isAdministrator, useMe } from './MeContext.ts';

/** The "Application" navigation landmark. */
export function AppMenu() {
  const me = useMe();
  const { pathname } = useLocation();
  const inSettings = isWithin(pathname, '/settings');

  return (
    <nav aria-label="Application" className="app-menu">
      <ul>
        <li>
          <MenuLink to="/" pathname={pathname}>Home</MenuLink>
        </li>
        <li>
          <MenuLink to="/account" pathname={pathname}>My account</MenuLink>
        </li>
        {isAdministrator(me) && (
          <li>
            <MenuLink to="/settings" pathname={pathname}>Settings</MenuLink>
            {inSettings && (
              <ul className="app-submenu">
                <li>
                  <MenuLink
                    to="/settings/users"
                    pathname={pathname}
                    highlightWithin
                  >
                    Users
                  </MenuLink>
                </li>
                <li>
                  <MenuLink to="/settings/security" pathname={pathname}>
                    Security
                  </MenuLink>
                </li>
                <li>
                  <MenuLink to="/settings/security-log" pathname={pathname}>
                    Security Log
                  </MenuLink>
                </li>
              </ul>
            )}
          </li>
        )}
      </ul>
    </nav>
  );
}

function isWithin(pathname: string, section: string): boolean {
  return pathname === section || pathname.startsWith(`${section}/`);
}

interface MenuLinkProps {
  to: string;
  pathname: string;
  /**
   * Keep the highlight on every page under `to`, e.g. Users on a user's
   * form. Only the deepest link shows it, so Settings does not.
   */
  highlightWithin?: boolean;
  children: ReactNode;
}

/**
 * aria-current is "page" on the page itself and "true" on the sections
 * that hold it, so a screen reader says where the person is at each
 * level. The highlight is for the eye: one link, the person's place.
 */
function MenuLink(props: MenuLinkProps) {
  const { to, pathname, highlightWithin = false, children } = props;
  const exact = pathname === to;
  const inside = !exact && to !== '/' && isWithin(pathname, to);
  const current = exact ? 'page' : inside ? 'true' : undefined;
  const highlighted = exact || (inside && highlightWithin);

  const classes = [
    current === undefined ? undefined : 'current',
    highlighted ? 'highlighted' : undefined,
  ].filter((name) => name !== undefined);

  return (
    <Link
      to={to}
      aria-current={current}
      className={classes.join(' ') || undefined}
    >
      {children}
    </Link>
  );
}
