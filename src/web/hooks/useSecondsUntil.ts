/** Whole seconds left until a moment, ticking once a second, 0 after it. */
import { useEffect, useState } from 'react';

/** Seconds until `moment` (ms since epoch), live. */
export function useSecondsUntil(moment: number | null): number {
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (moment === null) return;
    setNow(Date.now());

    const timer = window.setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= moment) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [moment]);

  if (moment === null) return 0;
  return Math.max(0, Math.ceil((moment - now) / 1000));
}
