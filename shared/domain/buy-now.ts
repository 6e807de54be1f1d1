import { conflict, gone } from './errors.ts';
import { MAX_TAGS, tagMatches } from './tags.ts';
import type { BuyNowLinkState, BuyNowLinkView, BuyNowOffer, BuyNowPurchaseResult } from '../schemas/buy-now.ts';

/**
 * Issue 12 buy-now links (SPEC §9): the pure rules. A link is open until it expires or is used; a click counts
 * every time, but its effects (tag, mail, event) come once per link and day; a purchase is made once, and the same
 * payment reference again answers the first result.
 */

export type Confirmation = 'client' | 'stripe';

export interface Purchase {
  paymentRef: string;
  purchasedAt: string;
  confirmedBy: Confirmation;
}

/** A link as stored (the token is not: only its hash, which keys the item that points here). */
export interface BuyNowLink {
  id: string;
  opportunityId: string;
  amount: { amount: number; currency: string };
  description: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  clicks: number;
  lastClickedAt: string | null;
  /** The UTC day (YYYY-MM-DD) of the last click whose effects were applied. */
  clickDay: string | null;
  purchase: Purchase | null;
  /** +1 per purchase write: two purchases cannot both commit. */
  version: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const expiryOf = (now: Date, days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();

export const isExpired = (link: Pick<BuyNowLink, 'expiresAt'>, now: Date) => now.getTime() >= Date.parse(link.expiresAt);

/** The UTC day of `now`: a click's effects come once per link and day. */
export const dayOf = (now: Date) => now.toISOString().slice(0, 10);

export function linkState(link: BuyNowLink, now: Date): BuyNowLinkState {
  if (link.purchase) return 'purchased';
  if (isExpired(link, now)) return 'expired';
  return link.clicks > 0 ? 'clicked' : 'open';
}

export function linkView(link: BuyNowLink, now: Date): BuyNowLinkView {
  return {
    id: link.id,
    opportunityId: link.opportunityId,
    amount: link.amount,
    description: link.description,
    state: linkState(link, now),
    clicks: link.clicks,
    lastClickedAt: link.lastClickedAt,
    expiresAt: link.expiresAt,
    purchasedAt: link.purchase?.purchasedAt ?? null,
    paymentRef: link.purchase?.paymentRef ?? null,
    confirmedBy: link.purchase?.confirmedBy ?? null,
    createdBy: link.createdBy,
    createdAt: link.createdAt,
  };
}

const expired = () => gone('This buy-now link has expired');
const used = () => gone('This buy-now link has been used');

/** GET /buy/{token}: an expired or used link is gone (410). */
export function requireOpenLink(link: BuyNowLink, now: Date): void {
  if (link.purchase) throw used();
  if (isExpired(link, now)) throw expired();
}

/**
 * POST /buy/{token}/purchase (and the Stripe webhook): `replay` when the link was bought with this very payment
 * reference (the first result is answered, nothing changes); `purchase` when it may be bought now. Used with another
 * reference, or expired: 410.
 */
export function purchaseDecision(link: BuyNowLink, paymentRef: string, now: Date): 'replay' | 'purchase' {
  if (link.purchase) {
    if (link.purchase.paymentRef === paymentRef) return 'replay';
    throw used();
  }
  if (isExpired(link, now)) throw expired();
  return 'purchase';
}

/** R-BUY-3: with `buyNow.confirmation: stripe` only the provider's webhook buys; the buyer's page gets this 409. */
export const paymentRequired = () =>
  conflict('payment_required', 'This seller confirms purchases through its payment provider: pay through the checkout, the purchase follows');

export function offerOf(link: BuyNowLink, title: string, seller: string, confirmation: Confirmation): BuyNowOffer {
  return { amount: link.amount, description: link.description, title, seller, expiresAt: link.expiresAt, confirmation };
}

export function purchaseResultOf(link: BuyNowLink & { purchase: Purchase }, title: string): BuyNowPurchaseResult {
  return { status: 'purchased', paymentRef: link.purchase.paymentRef, purchasedAt: link.purchase.purchasedAt, amount: link.amount, title };
}

/**
 * A tag added to a party's tags (case-insensitively once: the first spelling stays), or undefined when it has it, or
 * holds MAX_TAGS already (a record never holds more than a body may send back).
 */
export function withTag(tags: readonly string[], tag: string | null): string[] | undefined {
  if (!tag || tagMatches(tags, tag) || tags.length >= MAX_TAGS) return undefined;
  return [...tags, tag.trim()];
}
