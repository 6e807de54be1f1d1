import Stripe from 'stripe';

/**
 * Stripe webhook deliveries for tests (R-BUY-3): a `checkout.session.completed` event, signed with the official
 * package's own test-header helper, exactly as Stripe signs a delivery.
 */
export const TEST_STRIPE_SECRET = 'whsec_test_buy_now_secret';

export function checkoutCompleted(eventId: string, token: string, paymentIntent: string): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: { id: `cs_test_${eventId}`, object: 'checkout.session', client_reference_id: token, payment_intent: paymentIntent, payment_status: 'paid' } },
  });
}

/** The Stripe-Signature header of `payload`, as of `timestamp` (seconds; now by default), with `secret`. */
export function stripeSignature(payload: string, options: { timestamp?: number; secret?: string } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? TEST_STRIPE_SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) });
}
