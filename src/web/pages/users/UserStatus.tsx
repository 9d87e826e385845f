/**
 * A user's status, with what an administrator needs to act on: an
 * invitation whose email has not left yet, or one that has expired.
 */
import type { UserRow, UserStatus as Status } from '../../../api/schemas.ts';

const STATUS_LABELS: Record<Status, string> = {
  invited: 'Invited',
  active: 'Active',
  disabled: 'Disabled',
};

/** Invited, Active or Disabled, with invitation notes. */
export function UserStatus({ user, now }: { user: UserRow; now: number }) {
  const notes = user.status === 'invited' ? invitationNotes(user, now) : [];

  return (
    <>
      {STATUS_LABELS[user.status]}
      {notes.map((note) => (
        <span key={note} className="status-note">
          {note}
        </span>
      ))}
    </>
  );
}

function invitationNotes(user: UserRow, now: number): string[] {
  const notes: string[] = [];

  if (user.invitationDelivery === 'queued') {
    notes.push('Invitation not delivered yet');
  }
  if (user.invitationDelivery === 'retrying') {
    notes.push('Invitation not delivered yet — retrying');
  }

  const expiresAt = user.invitationExpiresAt;
  if (expiresAt !== null && Date.parse(expiresAt) < now) {
    notes.push('Invitation expired');
  }
  return notes;
}
