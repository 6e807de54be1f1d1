import type Stripe from 'stripe';
import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { buyNowWebhookContracts as contracts } from '../../shared/contracts/buy-now.ts';
import { purchaseBuyNow, STRIPE_EVENT_REPLAYED, stripeEventHandled } from '../../shared/db/buy-now-links.ts';
import { isRefusal, unavailable, validationFailed } from '../../shared/domain/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { badRequest } from '../../shared/http/problem.ts';
import { implement } from '../../shared/http/route.ts';
import { paymentRef } from '../../shared/schemas/buy-now.ts';
import { logger } from '../../shared/logger.ts';

/**
 * R-BUY-3 Stripe's webhook: with `buyNow.confirmation: stripe` a deal is won only when the payment provider says it
 * was paid. The Stripe-Signature header is verified over the exact bytes with the official `stripe` package
 * (tolerance 5 minutes, judged by the context's clock); `checkout.session.completed` whose `client_reference_id` is a
 * link's token buys it with the payment intent as paymentRef, its event's receipt committed in the same transaction.
 */

/** Stripe's default, and SPEC R-BUY-3's "over 5 minutes". */
export const STRIPE_TOLERANCE_SECONDS = 300;

/** One Secrets Manager read per container (STRIPE_WEBHOOK_SECRET_ARN in AWS); locally the variable STRIPE_WEBHOOK_SECRET. */
let storedSecret: Promise<string> | undefined;
async function readSecret(secretId: string): Promise<string> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const secret = await new sdk.SecretsManagerClient({}).send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
  if (!secret.SecretString) throw new Error('The Stripe webhook secret is empty');
  return secret.SecretString;
}
function webhookSecret(): Promise<string> {
  const local = process.env.STRIPE_WEBHOOK_SECRET;
  if (local) return Promise.resolve(local);
  const secretId = process.env.STRIPE_WEBHOOK_SECRET_ARN;
  // A runtime started without a secret (`npm start` with no STRIPE_WEBHOOK_SECRET) has no webhook: a 503, not a bug's 500.
  if (!secretId) return Promise.reject(unavailable('stripe_not_configured', 'This stack has no Stripe webhook secret (STRIPE_WEBHOOK_SECRET)'));
  storedSecret ??= readSecret(secretId).catch((error: unknown) => {
    storedSecret = undefined;
    throw error;
  });
  return storedSecret;
}

const badSignature = () =>
  badRequest('invalid_signature', 'The Stripe-Signature header does not match this body with the endpoint secret, or is older than 5 minutes', [
    { path: 'header.stripe-signature', message: 'Invalid or stale signature' },
  ]);

/** The event, verified; a bad or stale signature is a 400 before anything is read or written. */
async function verifiedEvent(ctx: AppContext, rawBody: Buffer, signature: string | undefined): Promise<Stripe.Event> {
  const secret = await webhookSecret();
  if (!signature) throw badSignature();
  // Loaded on the verification path only (~240 KB of the bundle): a cold start, a 503 or an unsigned call skip it.
  const { default: stripe } = await import('stripe');
  try {
    // `receivedAt` is in milliseconds (the package divides it by 1000): the age is judged by the context's clock.
    return stripe.webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS, undefined, ctx.now().getTime());
  } catch (error) {
    // The package parses the body once the signature matched: a signed body that is not JSON is not a signature problem.
    if (error instanceof SyntaxError) throw badRequest('malformed_json', 'The body is signed but is not valid JSON');
    throw badSignature();
  }
}

type Outcome = 'purchased' | 'replayed' | 'ignored';

/**
 * What a purchase reads of a Checkout Session event. The signature proves who sent it, not its shape: one without
 * these fields is a 400 (Stripe shows the delivery as failed), never a 500.
 */
const checkoutSessionEvent = z.object({
  data: z.object({
    object: z.object({
      client_reference_id: z.string().nullish(),
      payment_intent: z.union([paymentRef, z.object({ id: paymentRef })]).nullish(),
      payment_status: z.string().optional(),
    }),
  }),
});

/**
 * Events that confirm a payment: a session completed paid, or a delayed payment method's (SEPA debit, bank transfer)
 * success later. A session completed `unpaid` waits for the latter, so an unpaid order never wins a deal.
 */
const PAYMENT_EVENTS = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);

function paidSession(event: Stripe.Event): { token: string; paymentRef: string } | undefined {
  if (!PAYMENT_EVENTS.has(event.type)) return undefined;
  const parsed = checkoutSessionEvent.safeParse(event);
  if (!parsed.success) throw validationFailed(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  const session = parsed.data.data.object;
  if (event.type === 'checkout.session.completed' && session.payment_status === 'unpaid') return undefined;
  const token = session.client_reference_id;
  const paid = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
  return token && paid ? { token, paymentRef: paid } : undefined;
}

async function handleEvent(ctx: AppContext, event: Stripe.Event): Promise<Outcome> {
  const paid = paidSession(event);
  if (!paid) return 'ignored';
  const { token, paymentRef } = paid;
  if (await stripeEventHandled(ctx, event.id)) return 'replayed';
  try {
    return (await purchaseBuyNow(ctx, token, paymentRef, { via: 'stripe', stripeEventId: event.id })).outcome;
  } catch (error) {
    if (isRefusal(error, 'conflict', STRIPE_EVENT_REPLAYED)) return 'replayed';
    // Paid, but for no link we can sell now (unknown, expired, used, its deal closed): acknowledged, so Stripe does not
    // retry what cannot succeed, and logged as an error for a human to refund or follow up.
    if (isRefusal(error, 'not_found') || isRefusal(error, 'gone') || isRefusal(error, 'conflict', 'opportunity_closed')) {
      logger.error('A Stripe payment matched no purchasable buy-now link', { eventId: event.id, paymentRef, refusal: (error as Error).message });
      return 'ignored';
    }
    throw error;
  }
}

export const buyNowWebhookRoutes = [
  implement(contracts.stripeWebhook, async ({ ctx, rawBody, headers }) => {
    const event = await verifiedEvent(ctx, rawBody, headers['stripe-signature']);
    return { received: true as const, outcome: await handleEvent(ctx, event) };
  }),
];

export const handler = createApiHandler(buyNowWebhookRoutes);
