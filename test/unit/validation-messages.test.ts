import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { email, isoDate, isoDateTimeInput, pageQuery, singleLine } from '../../shared/schemas/common.ts';

const messagesOf = (schema: z.ZodType, input: unknown) => schema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('SPEC §1 a 400 says in plain words what is wrong with each field', () => {
  it('SPEC §1 a missing field is "Required"; a value of the wrong type says what it must be', () => {
    const schema = z.object({ name: z.string(), order: z.number(), share: z.int(), active: z.boolean(), tags: z.array(z.string()), value: z.object({}) });

    const messages = messagesOf(schema, { order: '1', share: 1.5, active: 'yes', tags: 'a', value: 3 });

    expect(messages).toEqual([
      'name: Required',
      'order: Must be a number',
      'share: Must be a whole number',
      'active: Must be true or false',
      'tags: Must be a list',
      'value: Must be an object',
    ]);
  });

  it('SPEC §1 lengths, counts and ranges name their bound', () => {
    const schema = z.object({ name: singleLine(5), code: z.string().min(3), tags: z.array(z.string()).min(1).max(2), probability: z.number().min(0).max(100), positive: z.number().positive() });

    expect(messagesOf(schema, { name: '   ', code: 'ab', tags: [], probability: -1, positive: 0 })).toEqual([
      'name: Must not be empty',
      'code: At least 3 characters',
      'tags: Must not be empty',
      'probability: Must be 0 or more',
      'positive: Must be more than 0',
    ]);
    expect(messagesOf(schema, { name: 'abcdef', code: 'abc', tags: ['a', 'b', 'c'], probability: 101, positive: 1 })).toEqual([
      'name: At most 5 characters',
      'tags: At most 2 items',
      'probability: Must be 100 or less',
    ]);
  });

  it('SPEC §1 a value outside a list of choices names the choices', () => {
    const schema = z.object({ status: z.enum(['open', 'won', 'lost']), kind: z.literal('loss') });

    expect(messagesOf(schema, { status: 'closed', kind: 'win' })).toEqual(['status: One of "open", "won", "lost"', 'kind: Must be "loss"']);
  });

  it('R-PS-8 a time sent with an offset or another precision is kept in UTC with milliseconds; a malformed one says what is expected', () => {
    expect(['2026-12-01T10:00:00+01:00', '2026-12-01T09:00:00Z', '2026-12-01T09:00:00.000000Z'].map((time) => isoDateTimeInput.parse(time))).toEqual(Array(3).fill('2026-12-01T09:00:00.000Z'));
    for (const wrong of ['2026-12-01', '2026-13-01T09:00:00Z', '01/12/2026 09:00']) {
      expect(messagesOf(isoDateTimeInput, wrong)).toEqual([': An ISO 8601 date and time, such as 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00']);
    }
  });

  it('SPEC §1 a malformed date or email says what is expected', () => {
    expect(messagesOf(z.object({ expectedCloseDate: isoDate, email }), { expectedCloseDate: '2026-02-30', email: 'ada@' })).toEqual([
      'expectedCloseDate: A date as YYYY-MM-DD, such as 2026-12-31',
      'email: An email address, such as ada@example.com',
    ]);
  });

  it("SPEC §1 a schema's own message wins over the plain default", () => {
    expect(messagesOf(z.object(pageQuery), { limit: '0' })).toEqual(['limit: An integer from 1 to 100']);
  });
});
