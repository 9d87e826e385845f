/** The signed-in user, loaded once by the signed-in layout. */
import { createContext, useContext } from 'react';
import type { Me } from '../../api/schemas.ts';

/** Provided by SignedInLayout once /api/me has answered. */
export const MeContext = createContext<Me | null>(null);

/** The signed-in user; only for pages inside the signed-in layout. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (me === null) throw new Error('useMe is used outside SignedInLayout');
  return me;
}

/** Whether the user may open Settings. */
export function isAdministrator(me: Me): boolean {
  return me.roles.includes('administrator');
}
