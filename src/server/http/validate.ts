/**
 * Turns a request body or query into typed data with a zod schema, or into
 * a 400 whose `fields` say, per field, what a person should fix.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of fields',
};

/**
 * Words for the refusals a schema does not word itself, so that a person
 * never reads the validator's own phrasing ("Invalid input: expected …").
 */
z.config({
  customError(issue) {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined
          ? 'This field is required.'
          : `This must be ${KINDS[issue.expected] ?? 'something else'}.`;
      case 'too_big':
        return issue.origin === 'string'
          ? `Use at most ${issue.maximum} characters.`
          : issue.origin === 'array'
            ? `Give at most ${issue.maximum}.`
            : `Use a value of at most ${issue.maximum}.`;
      case 'too_small':
        return issue.origin === 'string' && issue.minimum === 1
          ? 'This field is required.'
          : issue.origin === 'string'
            ? `Use at least ${issue.minimum} characters.`
            : `Use a value of at least ${issue.minimum}.`;
      case 'invalid_value':
        return `Choose one of: ${issue.values.map(String).join(', ')}.`;
      default:
        return 'This value is not accepted here.';
    }
  },
});

export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): z.infer<Schema> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AppError('BAD_REQUEST', { message: 'Send a JSON object.' });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      throw new AppError('UNKNOWN_FIELD', {
        message: `Callvault does not accept the field ${issue.keys
          .map((key) => `"${key.slice(0, 40)}"`)
          .join(', ')}.`,
      });
    }
    const field = String(issue.path[0] ?? 'form');
    fields[field] ??= issue.message;
  }
  throw new AppError('VALIDATION', { fields });
}
