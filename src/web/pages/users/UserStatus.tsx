/**
 * A user's status, with what an administrator needs to act on: an
 * invitation whose email has not left yet, or one whose link ran out
 * unused ("Expired": only "Resend invitation" lets them in now).
 */
import type { UserRow } from '../../../api/schemas.ts';

/** Invited, Expired, Active or Disabled, with delivery notes. */
export function UserStatus({ user }: { user: UserRow }) {
  const notes = user.status === 'invited' ? deliveryNotes(user) : [];

  return (
    <>
      {statusLabel(user)}
      {notes.map((note) => (
        <span key={note} className="status-note">
          {note}
        </span>
      ))}
    </>
  );
}

/** The server says whether the link expired, by its clock, not ours. */
function statusLabel(user: UserRow): string {
  if (user.status === 'active') return 'Active';
  if (user.status === 'disabled') return 'Disabled';
  return user.invitationExpired ? 'Expired' : 'Invited';
}

function deliveryNotes(user: UserRow): string[] {
  if (user.invitationExpired) return [];
  if (user.invitationDelivery === 'queued') {
    return ['Invitation not delivered yet'];
  }
  if (user.invitationDelivery === 'retrying') {
    return ['Invitation not delivered yet — retrying'];
  }
  return [];
}
