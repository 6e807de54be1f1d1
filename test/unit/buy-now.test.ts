import { describe, expect, it } from 'vitest';
import { linkState, purchaseDecision, requireOpenLink, withTag, type BuyNowLink } from '../../shared/domain/buy-now.ts';

/** Issue 12 (SPEC §9): the pure rules of a buy-now link. */
const link = (fields: Partial<BuyNowLink> = {}): BuyNowLink => ({
  id: '01JC0000000000000000000000',
  opportunityId: '01JC0000000000000000000001',
  amount: { amount: 100, currency: 'EUR' },
  description: null,
  createdBy: '01JC0000000000000000000002',
  createdAt: '2026-12-01T00:00:00.000Z',
  expiresAt: '2026-12-08T00:00:00.000Z',
  clicks: 0,
  lastClickedAt: null,
  clickDay: '',
  purchase: null,
  version: 1,
  ...fields,
});
const before = new Date('2026-12-02T00:00:00.000Z');
const after = new Date('2026-12-08T00:00:00.000Z');
const bought = { paymentRef: 'pay_1', purchasedAt: '2026-12-02T00:00:00.000Z', confirmedBy: 'client' as const };

describe('R-BUY-1 issue 12: link states', () => {
  it('R-BUY-1 open, clicked, expired from its expiry on, purchased whatever the clock', () => {
    expect(linkState(link(), before)).toBe('open');
    expect(linkState(link({ clicks: 3 }), before)).toBe('clicked');
    expect(linkState(link({ clicks: 3 }), after)).toBe('expired');
    expect(linkState(link({ purchase: bought }), after)).toBe('purchased');
  });
});

describe('R-BUY-2 issue 12: what a call on a link may do', () => {
  it('R-BUY-2 the same paymentRef replays; another one, or an expired link, is gone (410)', () => {
    expect(purchaseDecision(link(), 'pay_1', before)).toBe('purchase');
    expect(purchaseDecision(link({ purchase: bought }), 'pay_1', after)).toBe('replay');
    expect(() => purchaseDecision(link({ purchase: bought }), 'pay_2', before)).toThrow(expect.objectContaining({ kind: 'gone' }));
    expect(() => purchaseDecision(link(), 'pay_1', after)).toThrow(expect.objectContaining({ kind: 'gone' }));
    expect(() => requireOpenLink(link({ purchase: bought }), before)).toThrow(expect.objectContaining({ kind: 'gone' }));
  });

  it('R-BUY-2 a tag is added once, case-insensitively', () => {
    expect(withTag(['VIP'], ' Customer ')).toEqual(['VIP', 'Customer']);
    expect(withTag(['customer'], 'Customer')).toBeUndefined();
    expect(withTag(['VIP'], null)).toBeUndefined();
  });

  it('R-BUY-2 R-CFG-4 a party holding 50 tags gets no 51st (a record never holds more than a body may send back)', () => {
    const full = Array.from({ length: 50 }, (_, index) => `tag${index}`);

    expect(withTag(full, 'Customer')).toBeUndefined();
    expect(withTag(full.slice(1), 'Customer')).toHaveLength(50);
  });
});
