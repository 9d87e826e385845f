/** What makes a password acceptable, said once, the same on every page. */
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../password/rules.ts';

/** The password rules as a short list; `id` ties it to the input. */
export function PasswordRules({ id }: { id: string }) {
  return (
    <ul id={id} className="hint rules">
      <li>
        Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.
      </li>
      <li>
        Spaces and any characters are welcome: a few unrelated words make a
        strong password that is easy to remember.
      </li>
      <li>
        Common passwords and ones built from your name or email address are
        refused.
      </li>
    </ul>
  );
}
