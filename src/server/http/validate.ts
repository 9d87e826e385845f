/**
 * Turns a request body or query into typed data with a zod schema, or into
 * a 400 whose `fields` say, per field, what a person should fix.
 */
import type { z } from 'zod';
import { AppError } from '../errors.ts';

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
