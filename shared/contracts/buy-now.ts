import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf, pageQuery } from '../schemas/common.ts';
import {
  buyNowLinkView,
  buyNowOffer,
  buyNowPurchaseResult,
  buyNowTokenParams,
  createBuyNowLinkBody,
  issuedBuyNowLink,
  purchaseBody,
  stripeWebhookAnswer,
} from '../schemas/buy-now.ts';

/**
 * Issue 12 buy-now links (SPEC §9). The link routes of an opportunity need a bearer; the offer and the purchase are
 * public (a web shop page calls them), each with its own throttle and the 8 KiB body limit of public routes.
 */
export const buyNowContracts = defineContracts({
  createBuyNowLink: {
    method: 'POST',
    path: '/opportunities/{id}/buy-now-links',
    summary:
      'R-BUY-1: a buy-now link for an open opportunity the caller may change: a 256-bit token (shown once, stored only as its SHA-256), the offer page URL and the expiry (default buyNow.defaultExpireDays). Its answer holds a secret, so an Idempotency-Key is ignored',
    roles: EVERYONE,
    params: idParams,
    body: createBuyNowLinkBody,
    response: issuedBuyNowLink,
    successStatus: 201,
    secretResponse: true,
    statuses: [409],
  },
  listBuyNowLinks: {
    method: 'GET',
    path: '/opportunities/{id}/buy-now-links',
    summary: "R-BUY-1: an opportunity's buy-now links (newest first, never their tokens) with their state: open, clicked, purchased or expired",
    roles: EVERYONE,
    params: idParams,
    query: z.strictObject(pageQuery),
    response: pageOf(buyNowLinkView),
  },
  getBuyNowOffer: {
    method: 'GET',
    path: '/buy/{token}',
    summary:
      'R-BUY-2 (public): the offer of a buy-now link (amount, description, title, seller). Records the click; once per link and day it tags the contact (onClick.tag), mails the rep (onClick.notifyRep) and emits buynow.clicked. Expired or used: 410; its opportunity won or lost meanwhile: 409 opportunity_closed, nothing recorded; unknown or malformed: 404',
    roles: 'public',
    params: buyNowTokenParams,
    response: buyNowOffer,
    throttle: { ratePerSecond: 10, burst: 20 },
    statuses: [404, 409, 410],
  },
  purchaseBuyNow: {
    method: 'POST',
    path: '/buy/{token}/purchase',
    summary:
      'R-BUY-2 (public): buys the offer: the opportunity is won with buyNow.winReasonId, the contact tagged (onPurchase.tag), the rep mailed, buynow.purchased emitted. The same paymentRef again answers the first result; another purchase of a used link, or any call on an expired one: 410; the opportunity closed meanwhile: 409; with buyNow.confirmation stripe: 409 payment_required',
    roles: 'public',
    params: buyNowTokenParams,
    body: purchaseBody,
    response: buyNowPurchaseResult,
    throttle: { ratePerSecond: 5, burst: 10 },
    statuses: [404, 409, 410],
  },
});

/** 256 KiB: real Stripe events can be larger than the 8 KiB of the other public routes. */
const STRIPE_EVENT_MAX_BYTES = 256 * 1024;

/** R-BUY-3 the payment provider's webhook: its own function, the only one that reads the webhook's signing secret. */
export const buyNowWebhookContracts = defineContracts({
  stripeWebhook: {
    method: 'POST',
    path: '/webhooks/stripe',
    summary:
      "R-BUY-3 (public): Stripe's webhook. The Stripe-Signature header is verified over the exact bytes with the endpoint secret (tolerance 5 minutes; else 400, nothing written); checkout.session.completed (paid) or checkout.session.async_payment_succeeded whose client_reference_id is a link's token purchases it with the payment intent as paymentRef; a session completed unpaid waits for the latter; a signed event without a session, or with an unusable payment intent, is a 400; a replayed event id changes nothing; other events are acknowledged and ignored",
    roles: 'public',
    rawBody: true,
    response: stripeWebhookAnswer,
    maxBodyBytes: STRIPE_EVENT_MAX_BYTES,
    throttle: { ratePerSecond: 50, burst: 100 },
    // 409: a purchase that kept losing races to concurrent writes (Stripe retries the delivery); 503: no secret configured.
    statuses: [400, 409, 503],
  },
});
