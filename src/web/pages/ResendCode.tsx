/**
 * "Send a new code", held back until the server allows it (60 s after the
 * last one). The countdown is visible but silent; screen readers hear one
 * polite line when the button becomes available, not one each second.
 */
import { useEffect, useRef, useState } from 'react';
import type { CodeStatus } from '../../api/schemas.ts';
import { api, toApiError, type ApiError } from '../api.ts';
import { StatusMessage } from '../components/StatusMessage.tsx';
import { useSecondsUntil } from '../hooks/useSecondsUntil.ts';

interface ResendCodeProps {
  status: CodeStatus | null;
  onSent: (status: CodeStatus) => void;
  onFailure: (failure: ApiError) => void;
}

/** The "Send a new code" button with its wait. */
export function ResendCode({ status, onSent, onFailure }: ResendCodeProps) {
  const [availableAt, setAvailableAt] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const secondsLeft = useSecondsUntil(availableAt);
  const waited = useRef(false);

  useEffect(() => {
    if (status !== null) setAvailableAt(Date.parse(status.resendAvailableAt));
  }, [status]);

  useEffect(() => {
    if (secondsLeft > 0) waited.current = true;
    if (secondsLeft > 0 || !waited.current) return;

    waited.current = false;
    setAnnouncement('You can ask for a new code now.');
  }, [secondsLeft]);

  const waiting = status === null || secondsLeft > 0;

  async function resend() {
    if (waiting || busy) return;
    setBusy(true);

    try {
      const next = await api.post<CodeStatus>('/api/sign-in/code/resend');
      onSent(next);
      setAnnouncement(`We sent a new code to ${next.sentTo}.`);
    } catch (caught) {
      const failure = toApiError(caught);
      // The server's clock decides; trust its wait over ours.
      if (failure.retryAfter !== undefined) {
        setAvailableAt(Date.now() + failure.retryAfter * 1000);
      }
      onFailure(failure);
    } finally {
      setBusy(false);
    }
  }

  // aria-disabled, not disabled: the button keeps focus after a resend
  // and stays findable, with its wait read as its description.
  return (
    <div className="resend">
      <button
        type="button"
        className="button-secondary"
        aria-disabled={waiting || busy}
        aria-describedby="resend-wait"
        onClick={resend}
      >
        Send a new code
      </button>
      <p id="resend-wait" className="hint">
        {secondsLeft > 0 &&
          `You can ask for a new code in ${secondsLeft} s`}
      </p>
      <StatusMessage message={announcement} />
    </div>
  );
}
