import * as z from 'zod';

const EXPECTED: Record<string, string> = {
  int: 'Must be a whole number',
  number: 'Must be a number',
  string: 'Must be a string',
  boolean: 'Must be true or false',
  array: 'Must be a list',
  object: 'Must be an object',
  record: 'Must be an object',
};

const unit = (origin: string) => (origin === 'string' ? 'characters' : 'items');
const isCount = (origin: string) => origin === 'string' || origin === 'array' || origin === 'set';

/**
 * The words a client reads in a 400's `errors` (SPEC §1: a clear problem+json error) where a schema says nothing
 * more precise of its own (`{ error: … }` wins): "Required" instead of zod's "Invalid input: expected string,
 * received undefined", `One of "won", "lost"` instead of `Invalid option: expected one of "won"|"lost"`, "At most
 * 100 characters" instead of "Too big: expected string to have <=100 characters". Anything else keeps zod's
 * English message.
 */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'Required';
      return EXPECTED[issue.expected];
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (isCount(issue.origin)) return minimum <= 1 ? 'Must not be empty' : `At least ${minimum} ${unit(issue.origin)}`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Must be more than ${minimum}` : `Must be ${minimum} or more`;
      return undefined;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (isCount(issue.origin)) return `At most ${maximum} ${unit(issue.origin)}`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Must be less than ${maximum}` : `Must be ${maximum} or less`;
      return undefined;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `Must be ${JSON.stringify(issue.values[0])}` : `One of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });
