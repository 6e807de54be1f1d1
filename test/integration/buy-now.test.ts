import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { PIPELINE_SETTINGS_ID, settingsModel } from '../../shared/db/keys.ts';
import { TestApi } from '../support/api.ts';
import { created, expectNothingWritten, mailsTo, newOpportunity, outboxEvents, usersOf, type Caller } from '../support/fixtures.ts';
import { checkoutCompleted, stripeSignature, TEST_STRIPE_SECRET } from '../support/stripe.ts';

/**
 * Issue 12 buy-now links over HTTP (SPEC §9 R-BUY-1..3): links issued on an opportunity, the public offer and
 * purchase a web shop page calls, payments confirmed by Stripe's webhook. The runtime's clock is the test's (`now`),
 * so expiry and the webhook's 5-minute tolerance are tested without waiting; its throttles are lifted here (the
 * throttling tests start a runtime of their own).
 */

process.env.STRIPE_WEBHOOK_SECRET = TEST_STRIPE_SECRET;

let now = new Date('2026-12-01T10:00:00.000Z');
let api: TestApi;
let rep: { id: string; token: string; email: string };
let otherRep: Caller;
let winReasonId: string;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  api = await TestApi.start({ context: { now: () => now }, throttle: false });
  rep = await api.createUser('rep', 'Rita Rep');
  [otherRep] = await usersOf(api, 'rep');
  winReasonId = (await created(api, '/reasons', { kind: 'win', description: 'Bought online' })).id;
});
afterAll(() => api?.stop());
beforeEach(async () => {
  now = new Date('2026-12-01T10:00:00.000Z');
  await setBuyNow({});
});

async function setBuyNow(buyNow: Record<string, unknown>) {
  const { version: _v, createdAt: _c, updatedAt: _u, ...settings } = (await api.get('/settings/pipeline')).body;
  const answer = await api.put('/settings/pipeline', {
    ...settings,
    buyNow: { defaultExpireDays: 7, winReasonId, confirmation: 'client', onClick: { tag: 'Clicked offer', notifyRep: true }, onPurchase: { tag: 'Customer', notifyRep: true }, ...buyNow },
  });
  expect(answer.status).toBe(200);
}

async function issueLink(caller: Caller = rep, body: Record<string, unknown> = {}) {
  const opportunity = await newOpportunity(api, caller);
  const answer = await api.call(contracts.createBuyNowLink, { params: { id: opportunity.id }, body: { amount: { amount: 19_900 }, description: 'Annual plan', ...body }, token: caller.token });
  expect(answer.status).toBe(201);
  return { opportunity, link: answer.body };
}

const offer = (token: string) => api.call(contracts.getBuyNowOffer, { params: { token }, token: null });
const purchase = (token: string, paymentRef = `pay_${ulid()}`) => api.call(contracts.purchaseBuyNow, { params: { token }, body: { paymentRef }, token: null });
const linksOf = async (opportunityId: string) => (await api.call(contracts.listBuyNowLinks, { params: { id: opportunityId }, query: {}, token: rep.token })).body.items;
const opportunityOf = async (id: string) => (await api.get(`/opportunities/${id}`)).body;
const webhook = (payload: string, signature: string) =>
  api.request('POST', '/webhooks/stripe', { token: null, rawBody: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
const nowSeconds = () => Math.floor(now.getTime() / 1000);

describe('R-BUY-1 issue 12 item 1: POST/GET /opportunities/{id}/buy-now-links', () => {
  it('R-BUY-1 answers a 256-bit token, the offer page URL and the default expiry; the table holds only its hash', async () => {
    const { opportunity, link } = await issueLink();

    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`${api.runtime.ctx.config.appUrl}/buy/${link.token}`);
    expect(link.expiresAt).toBe(new Date(now.getTime() + 7 * DAY).toISOString());
    expect(JSON.stringify(await api.tableSnapshot())).not.toContain(link.token);
    const [listed] = await linksOf(opportunity.id);
    expect(listed).toMatchObject({ state: 'open', clicks: 0, amount: { amount: 19_900, currency: 'EUR' }, description: 'Annual plan', createdBy: rep.id });
    expect(JSON.stringify(listed)).not.toContain(link.token);
  });

  it('R-BUY-1 expiresInDays overrides the default; a closed opportunity gets a 409 and nothing is written; one the caller cannot see is a 404', async () => {
    const { link } = await issueLink(rep, { expiresInDays: 2 });
    const lost = await newOpportunity(api, rep);
    await api.post(`/opportunities/${lost.id}/lost`, {});

    expect(link.expiresAt).toBe(new Date(now.getTime() + 2 * DAY).toISOString());
    await expectNothingWritten(api, async () => {
      const closed = await api.call(contracts.createBuyNowLink, { params: { id: lost.id }, body: { amount: { amount: 100 } }, token: rep.token });
      expect(closed.status).toBe(409);
      expect(closed.problem?.code).toBe('opportunity_closed');
      const hidden = await api.call(contracts.createBuyNowLink, { params: { id: lost.id }, body: { amount: { amount: 100 } }, token: otherRep.token });
      expect(hidden.status).toBe(404);
    });
  });

  it('R-BUY-1 a link for nothing (amount 0) is a 400 on amount.amount and writes nothing', async () => {
    const opportunity = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const free = await api.call(contracts.createBuyNowLink, { params: { id: opportunity.id }, body: { amount: { amount: 0 } }, token: rep.token });
      expect(free.status).toBe(400);
      expect(free.problem?.errors).toEqual([{ path: 'amount.amount', message: 'A buy-now link asks for at least one minor unit' }]);
    });
  });
});

describe('R-BUY-2 issue 12 item 2: GET /buy/{token}', () => {
  it('R-BUY-2 answers the offer, counts every click, and once per day tags the contact, mails the rep and emits buynow.clicked', async () => {
    const { opportunity, link } = await issueLink();

    const first = await offer(link.token);
    const second = await offer(link.token);

    expect(first.status).toBe(200);
    expect(first.body).toEqual({ amount: { amount: 19_900, currency: 'EUR' }, description: 'Annual plan', title: 'Deal', seller: 'Pipeline CRM', expiresAt: link.expiresAt, confirmation: 'client' });
    expect(second.body).toEqual(first.body);
    expect((await linksOf(opportunity.id))[0]).toMatchObject({ state: 'clicked', clicks: 2 });
    expect((await api.get(`/contacts/${opportunity.contactId}`)).body.tags).toEqual(['Clicked offer']);
    const clicked = (await outboxEvents(api, 'buynow.clicked')).filter((item) => item.detail.data.opportunityId === opportunity.id);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.detail.actorId).toBeNull();
    expect((await mailsTo(api, rep.email)).filter((mail) => mail.subject === 'Buy-now link opened: Deal')).toHaveLength(1);
  });

  it('R-BUY-2 a click on the next day applies the effects again (once per link and day)', async () => {
    const { opportunity, link } = await issueLink();
    await offer(link.token);

    now = new Date(now.getTime() + DAY);
    await offer(link.token);

    expect((await outboxEvents(api, 'buynow.clicked')).filter((item) => item.detail.data.opportunityId === opportunity.id)).toHaveLength(2);
  });

  it('R-BUY-2 an unknown token and a malformed one are the same 404', async () => {
    const unknown = await offer('A'.repeat(43));
    const malformed = await offer('not-a-token');

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(unknown.body);
    expect((await purchase('B'.repeat(43))).body).toEqual(unknown.body);
  });

  it('R-BUY-2 an expired link answers 410 to any call, and nothing is written', async () => {
    const { link } = await issueLink(rep, { expiresInDays: 1 });
    now = new Date(now.getTime() + DAY);

    await expectNothingWritten(api, async () => {
      expect((await offer(link.token)).status).toBe(410);
      expect((await purchase(link.token)).status).toBe(410);
    });
  });
});

describe('R-BUY-2 issue 12 item 3: POST /buy/{token}/purchase', () => {
  it('R-BUY-2 wins the opportunity with buyNow.winReasonId, tags the contact, mails the rep and emits buynow.purchased', async () => {
    const { opportunity, link } = await issueLink();

    const bought = await purchase(link.token, 'pay_first');

    expect(bought.status).toBe(200);
    expect(bought.body).toEqual({ status: 'purchased', paymentRef: 'pay_first', purchasedAt: now.toISOString(), amount: { amount: 19_900, currency: 'EUR' }, title: 'Deal' });
    expect(await opportunityOf(opportunity.id)).toMatchObject({ status: 'won', winReasonIds: [winReasonId], probability: 100 });
    expect((await api.get(`/contacts/${opportunity.contactId}`)).body.tags).toEqual(['Customer']);
    expect((await linksOf(opportunity.id))[0]).toMatchObject({ state: 'purchased', paymentRef: 'pay_first', confirmedBy: 'client' });
    const [event] = (await outboxEvents(api, 'buynow.purchased')).filter((item) => item.detail.data.opportunityId === opportunity.id);
    expect(event!.detail.data).toMatchObject({ paymentRef: 'pay_first', amount: { amount: 19_900, currency: 'EUR' } });
    expect((await mailsTo(api, rep.email)).filter((mail) => mail.subject === 'Purchased through a buy-now link: Deal')).toHaveLength(1);
  });

  it('R-BUY-2 the same paymentRef again answers the first result and changes nothing; another purchase or a click of the used link is a 410', async () => {
    const { link } = await issueLink();
    const first = await purchase(link.token, 'pay_same');
    now = new Date(now.getTime() + 60_000);

    await expectNothingWritten(api, async () => {
      const again = await purchase(link.token, 'pay_same');
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await purchase(link.token, 'pay_other')).status).toBe(410);
      expect((await offer(link.token)).status).toBe(410);
    });
  });

  it('R-BUY-2 R-PS-2 the won event spawns the post-sale process the opportunity owner prefers (always, default template)', async () => {
    const owner = await api.createUser('rep', 'Always Owner');
    await api.patch('/me/settings', { postSaleOnWin: 'always' }, { token: owner.token });
    await created(api, '/post-sale-templates', { name: 'Welcome', isDefault: true, tasks: [{ title: 'Send welcome pack' }] });
    const { opportunity, link } = await issueLink(owner);

    expect((await purchase(link.token)).status).toBe(200);
    await api.post('/_local/settle');

    const processes = await api.get(`/post-sale-processes?opportunityId=${opportunity.id}`);
    expect(processes.body.items).toHaveLength(1);
    expect(processes.body.items[0].tasks.map((task: { title: string }) => task.title)).toEqual(['Send welcome pack']);
  });

  it('R-BUY-2 an opportunity lost meanwhile: the offer and the purchase answer 409 opportunity_closed and nothing is written; restored, the offer shows again', async () => {
    const { opportunity, link } = await issueLink();
    await api.post(`/opportunities/${opportunity.id}/lost`, {});

    await expectNothingWritten(api, async () => {
      const answers = [await offer(link.token), await purchase(link.token)];
      expect(answers.map((answer) => answer.status)).toEqual([409, 409]);
      expect(answers.map((answer) => answer.problem?.code)).toEqual(['opportunity_closed', 'opportunity_closed']);
    });
    await api.post(`/opportunities/${opportunity.id}/restore`, {});
    expect((await offer(link.token)).status).toBe(200);
  });

  it('R-BUY-2 20 concurrent purchases of one link: exactly one wins, the others are 410', async () => {
    const { opportunity, link } = await issueLink();

    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => purchase(link.token, `pay_race_${index}`)));

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 410)).toBe(true);
    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await linksOf(opportunity.id))[0]!.paymentRef).toBe(winner.body.paymentRef);
    expect((await outboxEvents(api, 'opportunity.won')).filter((item) => item.detail.data.opportunityId === opportunity.id)).toHaveLength(1);
  });
});

describe('R-BUY-3 issue 12 item 4: payments confirmed by Stripe', () => {
  beforeEach(() => setBuyNow({ confirmation: 'stripe' }));

  it('R-BUY-3 with confirmation stripe the purchase route answers 409 payment_required and writes nothing', async () => {
    const { link } = await issueLink();

    await expectNothingWritten(api, async () => {
      const answer = await purchase(link.token);
      expect(answer.status).toBe(409);
      expect(answer.problem?.code).toBe('payment_required');
    });
  });

  it('R-BUY-3 a signed checkout.session.completed buys the link with the payment intent; the replayed event changes nothing', async () => {
    const { opportunity, link } = await issueLink();
    const payload = checkoutCompleted(`evt_${ulid()}`, link.token, 'pi_paid');

    const delivered = await webhook(payload, stripeSignature(payload, { timestamp: nowSeconds() }));

    expect(delivered.status).toBe(200);
    expect(delivered.body).toEqual({ received: true, outcome: 'purchased' });
    expect(await opportunityOf(opportunity.id)).toMatchObject({ status: 'won' });
    expect((await linksOf(opportunity.id))[0]).toMatchObject({ state: 'purchased', paymentRef: 'pi_paid', confirmedBy: 'stripe' });
    await expectNothingWritten(api, async () => {
      const replayed = await webhook(payload, stripeSignature(payload, { timestamp: nowSeconds() }));
      expect(replayed.body).toEqual({ received: true, outcome: 'replayed' });
    });
  });

  it('R-BUY-3 a bad signature, a missing one, another secret or a stale timestamp (over 5 minutes) is a 400 and nothing is written', async () => {
    const { link } = await issueLink();
    const payload = checkoutCompleted(`evt_${ulid()}`, link.token, 'pi_bad');
    const good = stripeSignature(payload, { timestamp: nowSeconds() });

    await expectNothingWritten(api, async () => {
      for (const answer of [
        await webhook(payload.replace('pi_bad', 'pi_evil'), good),
        await webhook(payload, ''),
        await webhook(payload, stripeSignature(payload, { timestamp: nowSeconds(), secret: 'whsec_someone_else' })),
        await webhook(payload, stripeSignature(payload, { timestamp: nowSeconds() - 301 })),
      ]) {
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('invalid_signature');
      }
    });
  });

  it('R-BUY-3 a stack without a Stripe webhook secret answers 503 (never a 500) and writes nothing', async () => {
    const payload = checkoutCompleted(`evt_${ulid()}`, 'G'.repeat(43), 'pi_unconfigured');
    delete process.env.STRIPE_WEBHOOK_SECRET;

    try {
      await expectNothingWritten(api, async () => {
        const answer = await webhook(payload, stripeSignature(payload, { timestamp: nowSeconds() }));
        expect(answer.status).toBe(503);
        expect(answer.body.code).toBe('stripe_not_configured');
      });
    } finally {
      process.env.STRIPE_WEBHOOK_SECRET = TEST_STRIPE_SECRET;
    }
  });

  it('R-BUY-3 a signed event without a session, with an unusable payment intent, or a signed body that is not JSON is a 400 (never a 500) and writes nothing', async () => {
    const { link } = await issueLink();
    const signed = (payload: string) => webhook(payload, stripeSignature(payload, { timestamp: nowSeconds() }));
    const event = (extra: Record<string, unknown>) => JSON.stringify({ id: `evt_${ulid()}`, object: 'event', type: 'checkout.session.completed', ...extra });

    await expectNothingWritten(api, async () => {
      const answers = [
        await signed(event({})),
        await signed(event({ data: null })),
        await signed(event({ data: { object: { client_reference_id: link.token, payment_intent: 'p'.repeat(256) } } })),
        await signed(event({ data: { object: { client_reference_id: link.token, payment_intent: 'pi_ünicode' } } })),
        await signed('not json, but signed'),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
      expect(answers.map((answer) => answer.body.code)).toEqual(['validation_failed', 'validation_failed', 'validation_failed', 'validation_failed', 'malformed_json']);
      expect(answers[0]!.body.errors).toEqual([{ path: 'data', message: 'Required' }]);
      expect(answers[2]!.body.errors.map((error: { path: string }) => error.path)).toContain('data.object.payment_intent');
    });
  });

  it('R-BUY-3 a session completed unpaid (a delayed payment method) buys nothing; its async_payment_succeeded buys the link', async () => {
    const { opportunity, link } = await issueLink();
    const session = { object: { id: 'cs_test_delayed', object: 'checkout.session', client_reference_id: link.token, payment_intent: 'pi_delayed', payment_status: 'unpaid' } };
    const completed = JSON.stringify({ id: `evt_${ulid()}`, object: 'event', type: 'checkout.session.completed', data: session });
    const succeeded = JSON.stringify({ id: `evt_${ulid()}`, object: 'event', type: 'checkout.session.async_payment_succeeded', data: { object: { ...session.object, payment_status: 'paid' } } });

    await expectNothingWritten(api, async () => {
      expect((await webhook(completed, stripeSignature(completed, { timestamp: nowSeconds() }))).body).toEqual({ received: true, outcome: 'ignored' });
    });
    const paid = await webhook(succeeded, stripeSignature(succeeded, { timestamp: nowSeconds() }));

    expect(paid.body).toEqual({ received: true, outcome: 'purchased' });
    expect(await opportunityOf(opportunity.id)).toMatchObject({ status: 'won' });
    expect((await linksOf(opportunity.id))[0]).toMatchObject({ state: 'purchased', paymentRef: 'pi_delayed', confirmedBy: 'stripe' });
  });

  it('R-BUY-3 other event types, and payments for no sellable link, are acknowledged and change nothing', async () => {
    const other = JSON.stringify({ id: `evt_${ulid()}`, object: 'event', type: 'payment_intent.created', data: { object: { id: 'pi_x' } } });
    const unknown = checkoutCompleted(`evt_${ulid()}`, 'C'.repeat(43), 'pi_nowhere');

    await expectNothingWritten(api, async () => {
      expect((await webhook(other, stripeSignature(other, { timestamp: nowSeconds() }))).body).toEqual({ received: true, outcome: 'ignored' });
      expect((await webhook(unknown, stripeSignature(unknown, { timestamp: nowSeconds() }))).body).toEqual({ received: true, outcome: 'ignored' });
    });
  });
});

describe('R-BUY-2 issue 12: what public routes reveal', () => {
  it('R-BUY-2 no public answer holds an internal id of another record, an email address or a stack trace', async () => {
    const { link } = await issueLink();
    const { link: expired } = await issueLink(rep, { expiresInDays: 1 });
    const answers = [
      await offer(link.token),
      await purchase(link.token, 'pay_reveal'),
      await purchase(link.token, 'pay_reveal'),
      await purchase(link.token, 'pay_again'),
      await offer('D'.repeat(43)),
      await api.request('POST', `/buy/${link.token}/purchase`, { token: null, rawBody: '{not json', headers: { 'content-type': 'application/json' } }),
      await api.request('POST', `/buy/${link.token}/purchase`, { token: null, body: { paymentRef: 'x', ownerId: rep.id } }),
      await webhook('{}', 'bad'),
    ];
    now = new Date(now.getTime() + 2 * DAY);
    answers.push(await offer(expired.token));

    for (const answer of answers) {
      const text = JSON.stringify(answer.body);
      expect(text).not.toMatch(/[0-9A-HJKMNP-TV-Z]{26}/);
      expect(text).not.toMatch(/@/);
      expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 410, 404, 400, 400, 400, 410]);
  });
});

describe('R-CFG-2 issue 12: buyNow.confirmation', () => {
  it('R-CFG-2 stored settings written before the field existed read as client', async () => {
    const { ctx } = api.runtime;
    await ctx.db.send(new UpdateCommand({ TableName: ctx.tableName, Key: settingsModel.key(PIPELINE_SETTINGS_ID), UpdateExpression: 'REMOVE buyNow.confirmation' }));

    const settings = await api.get('/settings/pipeline');

    expect(settings.body.buyNow.confirmation).toBe('client');
    const { link } = await issueLink();
    expect((await offer(link.token)).body.confirmation).toBe('client');
  });
});

describe('R-BUY-2 issue 12 item 5: public routes are guarded', () => {
  let guarded: TestApi;
  beforeAll(async () => {
    guarded = await TestApi.start();
  });
  afterAll(() => guarded?.stop());

  it('R-BUY-2 a burst on GET /buy/{token} beyond its throttle (10/s, burst 20) is answered 429 problem+json with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => guarded.get(`/buy/${'E'.repeat(43)}`, { token: null })));

    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled[0]!.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(throttled[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answers.filter((answer) => answer.status !== 429).every((answer) => answer.status === 404)).toBe(true);
  });

  it('R-BUY-2 a public body over 8 KiB is a 413; the Stripe webhook takes the usual 256 KiB', async () => {
    const big = JSON.stringify({ paymentRef: 'p', padding: 'x'.repeat(9 * 1024) });
    const event = JSON.stringify({ id: 'evt_big', object: 'event', type: 'customer.updated', data: { object: { note: 'x'.repeat(20 * 1024) } } });

    const tooBig = await guarded.request('POST', `/buy/${'F'.repeat(43)}/purchase`, { token: null, rawBody: big, headers: { 'content-type': 'application/json' } });
    const bigEvent = await guarded.request('POST', '/webhooks/stripe', { token: null, rawBody: event, headers: { 'stripe-signature': stripeSignature(event) } });

    expect(tooBig.status).toBe(413);
    expect(bigEvent.status).toBe(200);
  });
});
