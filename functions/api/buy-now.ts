import { buyNowContracts as contracts } from '../../shared/contracts/buy-now.ts';
import { issueBuyNowLink, listBuyNowLinks, openBuyNowOffer, purchaseBuyNow } from '../../shared/db/buy-now-links.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';

/**
 * Issue 12 buy-now links (SPEC §9): issued and listed on an opportunity (bearer), opened and bought by a buyer
 * (public: the web shop's offer page calls them). The rules are in shared/domain/buy-now.ts, the reads and the
 * transactions in shared/db/buy-now-links.ts; the Stripe webhook is its own function (buy-now-webhook.ts).
 */
export const buyNowRoutes = [
  implement(contracts.createBuyNowLink, ({ ctx, principal, params, body }) => issueBuyNowLink(ctx, principal, params.id, body)),
  implement(contracts.listBuyNowLinks, ({ ctx, principal, params, query }) => listBuyNowLinks(ctx, principal, params.id, query)),
  implement(contracts.getBuyNowOffer, ({ ctx, params }) => openBuyNowOffer(ctx, params.token)),
  implement(contracts.purchaseBuyNow, async ({ ctx, params, body }) => (await purchaseBuyNow(ctx, params.token, body.paymentRef, { via: 'client' })).result),
];

export const handler = createApiHandler(buyNowRoutes);
