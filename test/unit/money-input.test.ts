import { describe, expect, it } from 'vitest';
import { money } from '../../shared/schemas/common.ts';

const messagesFor = (input: unknown) => (money.safeParse(input).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('SPEC §1 a money input that fails says what is wrong with it', () => {
  it('SPEC §1 a fractional amount is not minor units; a negative one is refused as such; a currency is an ISO 4217 code', () => {
    expect(messagesFor({ amount: 12.5 })).toEqual(['amount: Minor units: an integer']);
    expect(messagesFor({ amount: -5 })).toEqual(['amount: Minor units: zero or more']);
    expect(messagesFor({ amount: 0, currency: 'eur' })).toEqual(['currency: ISO 4217 code, e.g. EUR']);
    expect(messagesFor({ amount: 0, currency: 'XYZ' })).toEqual(['currency: ISO 4217 code, e.g. EUR']);
    expect(messagesFor({ amount: 0, currency: 'JPY' })).toEqual([]);
    expect(messagesFor({ amount: 1200, currency: 'EUR' })).toEqual([]);
  });
});
