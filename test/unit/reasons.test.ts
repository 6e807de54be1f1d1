import { describe, expect, it } from 'vitest';
import { hasChoice, lossReasonChoice, missingReasonError, reasonChoiceError, uniqueIds } from '../../shared/domain/reasons.ts';
import type { Reason } from '../../shared/schemas/pipeline.ts';

const STAMP = { version: 1, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
const reason = (kind: Reason['kind'], active = true): Reason => ({ ...STAMP, id: '01REASON000000000000000000', kind, description: 'Too expensive', active });

describe('R-CFG-3 / R-OPP-4 choosing a reason for a close', () => {
  it.each([
    ['an active reason of the kind', reason('loss'), 'loss', undefined],
    ['no reason', undefined, 'loss', 'No such reason'],
    ['a win reason for a loss', reason('win'), 'loss', 'Must be a loss reason, not a win reason'],
    ['a loss reason for a win', reason('loss'), 'win', 'Must be a win reason, not a loss reason'],
    ['an archived reason', reason('loss', false), 'loss', 'This reason is archived and cannot be chosen'],
  ] as const)('R-CFG-3 %s', (_, candidate, kind, message) => {
    const error = reasonChoiceError(candidate, kind, 'lostReasonId');

    expect(error).toEqual(message ? { path: 'lostReasonId', message } : undefined);
  });

  it('R-OPP-4 a lost body is a choice by id or by typed-in description', () => {
    expect(lossReasonChoice({ lostReasonId: 'A' })).toEqual({ reasonId: 'A', description: undefined });
    expect(lossReasonChoice({ lostReason: 'Too slow' })).toEqual({ reasonId: undefined, description: 'Too slow' });
    expect(hasChoice(lossReasonChoice({}))).toBe(false);
    expect(hasChoice(lossReasonChoice({ lostReason: 'Too slow' }))).toBe(true);
  });

  it.each([
    ['required and missing', true, false, { path: 'winReasonIds', message: 'A win reason is required' }],
    ['required and given', true, true, undefined],
    ['optional and missing', false, false, undefined],
  ] as const)('R-CFG-2 requireWinReason: %s', (_, required, chosen, expected) => {
    expect(missingReasonError(required, chosen, 'winReasonIds', 'win')).toEqual(expected);
  });

  it('R-OPP-3 a reason named twice counts once, in first-given order', () => {
    expect(uniqueIds(['B', 'A', 'B'])).toEqual(['B', 'A']);
  });
});
