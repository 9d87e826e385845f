/**
 * The Security Log's filters: user, event kind and a range of UTC days.
 * Applied on submit, into the address, so a filtered view can be
 * reloaded, shared with another administrator and exported as it is.
 */
import { useState, type FormEvent } from 'react';
import type { AuditEventKind, AuditFilters } from '../../../api/schemas.ts';
import { Field } from '../../components/Field.tsx';

interface SecurityLogFiltersProps {
  applied: AuditFilters;
  kinds: AuditEventKind[];
  fields: Record<string, string>;
  onApply: (filters: AuditFilters) => void;
}

/** The filter form; its values go to `onApply` on "Show events". */
export function SecurityLogFilters(props: SecurityLogFiltersProps) {
  const { applied, kinds, fields, onApply } = props;
  const [user, setUser] = useState(applied.user ?? '');
  const [event, setEvent] = useState(applied.event ?? '');
  const [from, setFrom] = useState(applied.from ?? '');
  const [to, setTo] = useState(applied.to ?? '');

  function apply(submitted: FormEvent) {
    submitted.preventDefault();
    onApply({ user: user.trim(), event, from, to });
  }

  function clear() {
    setUser('');
    setEvent('');
    setFrom('');
    setTo('');
    onApply({});
  }

  return (
    <form className="filters" onSubmit={apply} noValidate>
      <Field
        label="User"
        name="user"
        type="search"
        hint="Part of a name or email address"
        value={user}
        onChange={(changed) => setUser(changed.target.value)}
        error={fields.user}
      />
      <div className={fields.event ? 'field field-invalid' : 'field'}>
        <label htmlFor="audit-event">Event</label>
        <select
          id="audit-event"
          value={event}
          aria-invalid={fields.event ? true : undefined}
          onChange={(changed) => setEvent(changed.target.value)}
        >
          <option value="">All events</option>
          {kinds.map((kind) => (
            <option key={kind.event} value={kind.event}>
              {kind.label}
            </option>
          ))}
        </select>
      </div>
      <Field
        label="From (UTC)"
        name="from"
        type="date"
        value={from}
        onChange={(changed) => setFrom(changed.target.value)}
        error={fields.from}
      />
      <Field
        label="To (UTC)"
        name="to"
        type="date"
        value={to}
        onChange={(changed) => setTo(changed.target.value)}
        error={fields.to}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary">
          Show events
        </button>
        <button type="button" className="button-secondary" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
