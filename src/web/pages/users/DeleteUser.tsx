/**
 * "Delete user" on a user's edit page, behind a confirmation dialog. The
 * native modal <dialog> keeps focus inside, closes on Escape and hands
 * focus back to the button that opened it.
 */
import { useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useMe } from '../../components/MeContext.ts';
import type { NoticeState } from '../../notice.ts';

interface DeleteUserProps {
  userId: string;
  name: string;
}

/** The "Delete user" section and its confirmation. */
export function DeleteUser({ userId, name }: DeleteUserProps) {
  const me = useMe();
  const navigate = useNavigate();
  const headingId = useId();
  const dialogHeadingId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setError(null);

    try {
      await api.delete(`/api/users/${encodeURIComponent(userId)}`);
      dialog.current?.close();
      const state: NoticeState = { notice: `Deleted ${name}` };
      navigate('/settings/users', { state });
    } catch (caught) {
      setError(toApiError(caught).message);
      setBusy(false);
    }
  }

  function open() {
    setError(null);
    dialog.current?.showModal();
    // The safe choice has focus, so Enter pressed by habit deletes nobody.
    cancel.current?.focus();
  }

  return (
    <section className="user-action" aria-labelledby={headingId}>
      <h2 id={headingId}>Delete user</h2>
      {me.id === userId ? (
        <p>You cannot delete your own account; another administrator can.</p>
      ) : (
        <>
          <p>
            Removes {name} from Callvault and signs them out. Their entries
            in the Security Log stay, with the name and email they had.
          </p>
          <button type="button" className="button-danger" onClick={open}>
            Delete user
          </button>
        </>
      )}
      <dialog
        ref={dialog}
        className="confirm-dialog"
        aria-labelledby={dialogHeadingId}
        onClose={() => setError(null)}
      >
        <h2 id={dialogHeadingId}>Delete {name}?</h2>
        <p>
          {name} can no longer sign in, and any invitation or code sent to
          them stops working. This cannot be undone.
        </p>
        <ErrorAlert message={error} />
        <div className="form-actions">
          <button type="button" className="button-danger" onClick={confirm}>
            Delete {name}
          </button>
          <button
            type="button"
            ref={cancel}
            className="button-secondary"
            onClick={() => dialog.current?.close()}
          >
            Cancel
          </button>
        </div>
      </dialog>
    </section>
  );
}
