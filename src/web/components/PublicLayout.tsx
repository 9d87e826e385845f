/** The frame of pages used before sign-in: the product name and a main. */
import type { ReactNode } from 'react';

interface PublicLayoutProps {
  children: ReactNode;
  /** For pages of long content, like the mailbox, rather than a form. */
  wide?: boolean;
}

/** Header and main for pages outside the signed-in app. */
export function PublicLayout({ children, wide = false }: PublicLayoutProps) {
  return (
    <>
      <header className="public-header">
        <p className="brand">Callvault</p>
      </header>
      <main
        id="main"
        className={wide ? 'public-main public-main-wide' : 'public-main'}
        tabIndex={-1}
      >
        {children}
      </main>
    </>
  );
}
