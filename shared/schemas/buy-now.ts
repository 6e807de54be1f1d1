import * as z from 'zod';
import { id, isoDateTime, minorUnits, money, singleLine, storedMoney } from './common.ts';

/**
 * Issue 12 buy-now links (SPEC §9, R-BUY-1..3). The token is 256 random bits in base64url (43 characters); what a
 * public route answers names no internal id, no email and nothing of other records.
 */
export const BUY_NOW_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const buyNowTokenParams = z.strictObject({
  token: z.string().regex(BUY_NOW_TOKEN_PATTERN).meta({ description: 'The token of a buy-now link (POST /opportunities/{id}/buy-now-links)' }),
});

export const createBuyNowLinkBody = z
  .strictObject({
    // A link asks the buyer to pay: nothing to pay is a mistake (a deal given away is won by hand).
    amount: money.extend({ amount: minorUnits.min(1, 'A buy-now link asks for at least one minor unit') }),
    description: singleLine(500).optional(),
    expiresInDays: z.int().min(1).max(365).optional().meta({ description: 'Default: the settings’ buyNow.defaultExpireDays' }),
  })
  .meta({ id: 'CreateBuyNowLink' });

export const issuedBuyNowLink = z
  .object({
    token: z.string().meta({ description: 'The secret of the link: shown once, stored only as a hash' }),
    url: z.string().meta({ description: 'The offer page of the web shop: `<appUrl>/buy/<token>`' }),
    expiresAt: isoDateTime,
  })
  .meta({ id: 'IssuedBuyNowLink' });

export const BUY_NOW_LINK_STATES = ['open', 'clicked', 'purchased', 'expired'] as const;
export type BuyNowLinkState = (typeof BUY_NOW_LINK_STATES)[number];

/** A link as its opportunity's team sees it (never its token). */
export const buyNowLinkView = z
  .object({
    id,
    opportunityId: id,
    amount: storedMoney,
    description: z.string().nullable(),
    state: z.enum(BUY_NOW_LINK_STATES),
    clicks: z.int().min(0),
    lastClickedAt: isoDateTime.nullable(),
    expiresAt: isoDateTime,
    purchasedAt: isoDateTime.nullable(),
    paymentRef: z.string().nullable(),
    confirmedBy: z.enum(['client', 'stripe']).nullable(),
    createdBy: id,
    createdAt: isoDateTime,
  })
  .meta({ id: 'BuyNowLink' });
export type BuyNowLinkView = z.infer<typeof buyNowLinkView>;

/** GET /buy/{token}: the offer as the buyer sees it. */
export const buyNowOffer = z
  .object({
    amount: storedMoney,
    description: z.string().nullable(),
    title: z.string().meta({ description: 'The title of the opportunity' }),
    seller: z.string().meta({ description: "The seller's company name" }),
    expiresAt: isoDateTime,
    confirmation: z.enum(['client', 'stripe']).meta({ description: '`stripe`: pay through Stripe Checkout with client_reference_id = the token; `client`: POST /buy/{token}/purchase' }),
  })
  .meta({ id: 'BuyNowOffer' });
export type BuyNowOffer = z.infer<typeof buyNowOffer>;

/** A payment's reference as the shop or the payment provider gives it (a Stripe payment intent id). */
export const paymentRef = z.string().trim().min(1).max(255).regex(/^[\x21-\x7E]+$/, 'Visible ASCII characters');

export const purchaseBody = z
  .strictObject({ paymentRef })
  .meta({ id: 'BuyNowPurchase' });

export const buyNowPurchaseResult = z
  .object({ status: z.literal('purchased'), paymentRef: z.string(), purchasedAt: isoDateTime, amount: storedMoney, title: z.string() })
  .meta({ id: 'BuyNowPurchaseResult' });
export type BuyNowPurchaseResult = z.infer<typeof buyNowPurchaseResult>;

export const stripeWebhookAnswer = z
  .object({ received: z.literal(true), outcome: z.enum(['purchased', 'replayed', 'ignored']) })
  .meta({ id: 'StripeWebhookAnswer' });
