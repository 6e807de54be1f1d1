import { describe, expect, it } from 'vitest';
import { applyCustomFields, visibleCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { normalizeTags, tagMatches } from '../../shared/domain/tags.ts';
import type { CustomFieldDefinition } from '../../shared/schemas/custom-fields.ts';

const STAMP = { version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

const definition = (key: string, type: CustomFieldDefinition['type'], options?: string[]): CustomFieldDefinition => ({
  ...STAMP,
  id: `field-${key}`,
  entity: 'contact',
  key,
  label: key,
  type,
  ...(options ? { options } : {}),
});

const DEFINITIONS = [
  definition('notes', 'text'),
  definition('seats', 'number'),
  definition('renewal', 'date'),
  definition('vip', 'boolean'),
  definition('size', 'select', ['small', 'large']),
];

describe('R-CFG-4 applyCustomFields', () => {
  it('R-CFG-4 accepts a valid value of every type', () => {
    const change = { notes: 'Met at the fair', seats: 12.5, renewal: '2028-02-29', vip: false, size: 'large' };

    const answer = applyCustomFields({}, change, DEFINITIONS);

    expect(answer).toEqual({ values: change, errors: [] });
  });

  it('R-CFG-4 rejects a value of the wrong type for every type, listing each path', () => {
    const change = { notes: 3, seats: '12', renewal: '01/02/2026', vip: 'yes', size: 'medium' };

    const answer = applyCustomFields({}, change, DEFINITIONS);

    expect(answer.errors.map((error) => error.path)).toEqual([
      'customFields.notes',
      'customFields.seats',
      'customFields.renewal',
      'customFields.vip',
      'customFields.size',
    ]);
    expect(answer.errors.find((error) => error.path === 'customFields.size')?.message).toContain('small, large');
  });

  it('R-CFG-4 rejects a date that does not exist (2026-02-30)', () => {
    const answer = applyCustomFields({}, { renewal: '2026-02-30' }, DEFINITIONS);

    expect(answer.errors).toEqual([{ path: 'customFields.renewal', message: 'Must be a date YYYY-MM-DD' }]);
  });

  it('R-CFG-4 rejects a text longer than 2000 characters', () => {
    const answer = applyCustomFields({}, { notes: 'x'.repeat(2001) }, DEFINITIONS);

    expect(answer.errors.map((error) => error.path)).toEqual(['customFields.notes']);
  });

  it('R-CFG-4 rejects an unknown key', () => {
    const answer = applyCustomFields({}, { budget: 10 }, DEFINITIONS);

    expect(answer.errors).toEqual([{ path: 'customFields.budget', message: 'Unknown custom field' }]);
  });

  it('R-CFG-4 null removes a stored value and other stored values are kept', () => {
    const stored = { notes: 'old', seats: 3 };

    const answer = applyCustomFields(stored, { notes: null, vip: true }, DEFINITIONS);

    expect(answer).toEqual({ values: { seats: 3, vip: true }, errors: [] });
    expect(stored).toEqual({ notes: 'old', seats: 3 });
  });
});

describe('R-CFG-4 visibleCustomFields', () => {
  it('R-CFG-4 hides stored values whose definition was deleted', () => {
    const stored = { notes: 'kept', legacy: 'from a deleted field', seats: 4 };

    const visible = visibleCustomFields(stored, DEFINITIONS);

    expect(visible).toEqual({ notes: 'kept', seats: 4 });
  });

  it('R-CFG-4 hides a stored value the current definition of its key refuses (another type, a removed option)', () => {
    const stored = { seats: 'twelve', size: 'medium', vip: 1, renewal: '2026-02-30', notes: 42 };
    const valid = { seats: 12, size: 'small', vip: true, renewal: '2026-02-28', notes: 'text' };

    expect(visibleCustomFields(stored, DEFINITIONS)).toEqual({});
    expect(visibleCustomFields(valid, DEFINITIONS)).toEqual(valid);
  });

  it('R-CFG-4 withVisibleCustomFields shows a record without the hidden values and leaves the stored record as it was', () => {
    const stored = { id: 'contact-1', lastName: 'Kept', customFields: { vip: true, legacy: 'from a deleted field' } };

    const shown = withVisibleCustomFields(stored, DEFINITIONS);

    expect(shown).toEqual({ id: 'contact-1', lastName: 'Kept', customFields: { vip: true } });
    expect(stored.customFields).toEqual({ vip: true, legacy: 'from a deleted field' });
  });
});

describe('R-CFG-4 normalizeTags', () => {
  it('R-CFG-4 trims, drops empty tags and keeps the first spelling of case-insensitive duplicates', () => {
    const tags = normalizeTags(['  VIP ', 'vip', 'Fair 2026', '', '   ', 'fair 2026', 'Lead']);

    expect(tags).toEqual(['VIP', 'Fair 2026', 'Lead']);
  });

  it('R-CFG-4 tagMatches compares case-insensitively after trimming', () => {
    expect(tagMatches(['VIP', 'Lead'], ' vip ')).toBe(true);
    expect(tagMatches(['VIP', 'Lead'], 'customer')).toBe(false);
  });
});
