/** The frame of pages used before sign-in: the product name and a main. */
import type { ReactNode } from 'react';

export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="public-header">
        <p className="brand">Callvault</p>
      </header>
      <main id="main" className="public-main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
