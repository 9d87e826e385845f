/**
 * The left-hand application menu. Settings is for administrators only;
 * the server enforces that, the menu just does not offer a dead end.
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
        {isAdministrator(me) && (
          <li>
            <MenuLink to="/settings" pathname={pathname}>Settings</MenuLink>
            {inSettings && (
              <ul className="app-submenu">
                <li>
                  <MenuLink to="/settings/users" pathname={pathname}>
                    Users
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
  children: ReactNode;
}

/**
 * "page" marks the page itself; "true" marks the section that holds it,
 * so a screen reader says where the person is at each level.
 */
function MenuLink({ to, pathname, children }: MenuLinkProps) {
  const exact = pathname === to;
  const inside = !exact && to !== '/' && isWithin(pathname, to);
  const current = exact ? 'page' : inside ? 'true' : undefined;

  return (
    <Link
      to={to}
      aria-current={current}
      className={current === undefined ? undefined : 'current'}
    >
      {children}
    </Link>
  );
}
