/** The first administrator's details and password. */
import { useRef, useState, type FormEvent } from 'react';
import { api, toApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { NewPasswordField } from '../components/NewPasswordField.tsx';
import { ShowPasswordToggle } from '../components/ShowPasswordToggle.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import { useFormFailure } from '../hooks/useFormFailure.ts';

interface SetupFormProps {
  token: string;
  onCreated: () => void;
}

/** Posts /api/setup, then calls `onCreated`. */
export function SetupForm({ token, onCreated }: SetupFormProps) {
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [password, setPassword] = useState('');
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const { failure, message, fields, fail, clearField } = useFormFailure();
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  async function create(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      await api.post('/api/setup', {
        token,
        email,
        firstName,
        lastName,
        password,
      });
      onCreated();
    } catch (caught) {
      fail(toApiError(caught));
      setBusy(false);
    }
  }

  return (
    <>
      <p>Create the first administrator. They can then invite everyone else.</p>
      <ErrorAlert ref={alert} message={message} />
      <form ref={form} onSubmit={create} noValidate>
        {/* Also the username password managers file the password under. */}
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            clearField('email');
          }}
          error={fields.email}
        />
        <Field
          label="First name"
          name="firstName"
          autoComplete="given-name"
          value={firstName}
          onChange={(event) => {
            setFirstName(event.target.value);
            clearField('firstName');
          }}
          error={fields.firstName}
        />
        <Field
          label="Last name"
          name="lastName"
          autoComplete="family-name"
          value={lastName}
          onChange={(event) => {
            setLastName(event.target.value);
            clearField('lastName');
          }}
          error={fields.lastName}
        />
        <NewPasswordField
          label="Password"
          name="password"
          type={shown ? 'text' : 'password'}
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            clearField('password');
          }}
          error={fields.password}
          userInputs={[email, firstName, lastName]}
        />
        <ShowPasswordToggle checked={shown} onChange={setShown} />
        <button type="submit" className="button-primary">
          Create administrator
        </button>
      </form>
    </>
  );
}
