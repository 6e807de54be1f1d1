import { describe, expect, it } from 'vitest';
import { type BoardOpportunity, contributionOf, counterDeltas, exactInteger, NO_CONTRIBUTION, roundedHundredths, summarize, toAnswer } from '../../shared/domain/board.ts';
import { applyCustomFields } from '../../shared/domain/custom-fields.ts';
import type { CustomFieldDefinition } from '../../shared/schemas/custom-fields.ts';
import { MAX_MINOR_UNITS, money } from '../../shared/schemas/common.ts';

/** Numbers the API takes stay numbers DynamoDB stores, and the board's sums stay exact whatever their size. */

const size = { entity: 'contact', key: 'size', label: 'Size', type: 'number' } as CustomFieldDefinition;
const errorsFor = (value: number) => applyCustomFields({}, { size: value }, [size]).errors;

describe('R-CFG-4 a number custom field holds what DynamoDB stores', () => {
  it('R-CFG-4 from -9007199254740991 to 9007199254740991, and 0 or at least 1e-130 away from 0', () => {
    for (const value of [0, -0, 1, -1, 0.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e-130, -1e-130, 1e15 + 0.5]) expect(errorsFor(value), String(value)).toEqual([]);
    for (const value of [Number.MAX_SAFE_INTEGER + 2, -(Number.MAX_SAFE_INTEGER + 2), 1e200, Number.MAX_VALUE, Infinity, NaN]) {
      expect(errorsFor(value), String(value)).toEqual([{ path: 'customFields.size', message: 'A number from -9007199254740991 to 9007199254740991' }]);
    }
    for (const value of [1e-131, -1e-200, Number.MIN_VALUE]) {
      expect(errorsFor(value), String(value)).toEqual([{ path: 'customFields.size', message: 'A number from -9007199254740991 to 9007199254740991: 0, or at least 1e-130 away from 0' }]);
    }
  });
});

describe('R-OPP-11 a money input is at most 10^13 minor units', () => {
  const messagesFor = (input: unknown) => (money.safeParse(input).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  it('R-OPP-11 10^13 is taken; above it, however far (an unsafe integer, 1e200), one message says so', () => {
    expect(MAX_MINOR_UNITS).toBe(10_000_000_000_000);
    expect(messagesFor({ amount: MAX_MINOR_UNITS, currency: 'IDR' })).toEqual([]);
    for (const amount of [MAX_MINOR_UNITS + 1, 2e14, Number.MAX_SAFE_INTEGER + 2, 1e200]) expect(messagesFor({ amount }), String(amount)).toEqual(['amount: Minor units: at most 10000000000000 (100000000000.00)']);
    expect(messagesFor({ amount: 12.5 })).toEqual(['amount: Minor units: an integer']);
    expect(messagesFor({ amount: -5 })).toEqual(['amount: Minor units: zero or more']);
  });
});

describe('R-OPP-11 board arithmetic is exact beyond 2^53', () => {
  const deal = (amount: number, probability: number): BoardOpportunity => ({ id: 'o', ownerId: 'rep', stageId: 's', status: 'open', active: true, probability, value: { amount, currency: 'IDR' } });

  it('R-OPP-11 amount × probability of the largest stored amount is exact', () => {
    expect(contributionOf(deal(Number.MAX_SAFE_INTEGER, 99)).weighted).toBe(9_007_199_254_740_991n * 99n);
    expect(counterDeltas(NO_CONTRIBUTION, contributionOf(deal(Number.MAX_SAFE_INTEGER, 99))).map((delta) => delta.weighted)).toEqual([891_712_726_219_358_109n, 891_712_726_219_358_109n]);
  });

  it('R-OPP-11 stored numbers read as exact integers: numbers, BigInts the SDK answers beyond 2^53, nothing as 0', () => {
    expect(exactInteger(12)).toBe(12n);
    expect(exactInteger(10n ** 30n)).toBe(10n ** 30n);
    expect(exactInteger(undefined)).toBe(0n);
    expect(exactInteger('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it('R-OPP-11 weighted rounded once like Math.round; a total beyond 2^53 is answered as 9007199254740991, never a rounded figure', () => {
    for (const hundredths of [0, 49, 50, 149, 150, 151, -49, -50, -51, -150, 123_456_789]) expect(Number(roundedHundredths(BigInt(hundredths))), String(hundredths)).toBe(Math.round(hundredths / 100) + 0);
    expect(toAnswer(9_007_199_254_740_991n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(toAnswer(9_007_199_254_740_992n)).toBe(Number.MAX_SAFE_INTEGER);
    const rows = Array.from({ length: 12 }, () => ({ stageId: 's', currency: 'IDR', count: 1, amount: 10n ** 13n, weighted: 99n * 10n ** 13n }));
    expect(summarize(['s'], rows)).toEqual({ stages: [{ stageId: 's', count: 12, totals: [{ currency: 'IDR', amount: 12 * 10 ** 13, weighted: 118_800_000_000_000 }] }] });
  });
});
