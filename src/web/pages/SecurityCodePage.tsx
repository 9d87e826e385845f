/**
 * The second step of sign-in for users with two-factor on: the 6-digit
 * security code sent by email. Resending, waiting and cancelling live in
 * ResendCode and this page's Cancel button.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { CodeStatus, SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import type { NoticeState } from '../notice.ts';
import { ResendCode } from './ResendCode.tsx';

/** /sign-in/code: the emailed security code. */
export function SecurityCodePage() {
  const navigate = useNavigate();
  const { search } = useLocation();
  const [status, setStatus] = useState<CodeStatus | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  useEffect(() => {
    let current = true;
    api
      .get<CodeStatus>('/api/sign-in/code')
      .then((loaded) => current && setStatus(loaded))
      .catch((caught) => current && setFailure(toApiError(caught)));
    return () => {
      current = false;
    };
  }, []);

  async function verify(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      // The page the person asked for rides in `?next=`, as sign-in put
      // it; the server checks it and answers where to go.
      const result = await api.post<SignInResult>(
        `/api/sign-in/code${search}`,
        // People paste codes as "123 456"; only the digits matter.
        { code: code.replace(/\s/g, '') },
      );
      followRedirect(result.redirect);
    } catch (caught) {
      const failure = toApiError(caught);
      // A 401 here (e.g. too many wrong codes) means this sign-in is over.
      if (failure.status === 401) {
        const state: NoticeState = { notice: failure.message };
        navigate('/sign-in', { replace: true, state });
        return;
      }
      setFailure(failure);
      setBusy(false);
    }
  }

  async function cancel() {
    try {
      await api.post('/api/sign-in/cancel');
      navigate('/sign-in', { replace: true });
    } catch (caught) {
      setFailure(toApiError(caught));
    }
  }

  return (
    <PublicLayout>
      <PageHeading title="Security code">Enter your security code</PageHeading>
      <p>
        {status === null
          ? 'We sent a security code to your email address.'
          : `We sent a security code to ${status.sentTo}.`}{' '}
        It expires in 10 minutes.
      </p>
      <ErrorAlert ref={alert} message={failure?.message} />
      <form ref={form} onSubmit={verify} noValidate>
        <Field
          label="Security code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          value={code}
          onChange={(event) => setCode(event.target.value)}
          error={failure?.fields.code}
        />
        <button type="submit" className="button-primary">
          Verify
        </button>
      </form>
      <ResendCode
        status={status}
        onSent={(next) => {
          setStatus(next);
          setFailure(null);
        }}
        onFailure={setFailure}
      />
      <button type="button" className="button-link" onClick={cancel}>
        Cancel
      </button>
    </PublicLayout>
  );
}
