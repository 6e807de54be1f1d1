import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import {
  dayOf,
  expiryOf,
  linkView,
  offerOf,
  paymentRequired,
  purchaseDecision,
  purchaseResultOf,
  requireOpenLink,
  withTag,
  type BuyNowLink,
  type Confirmation,
  type Purchase,
} from '../domain/buy-now.ts';
import { conflict, notFound } from '../domain/errors.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import { win } from '../domain/opportunity-lifecycle.ts';
import { patchCompany, patchContact } from '../domain/parties.ts';
import { postSaleOnWin } from '../domain/post-sale.ts';
import type { Principal } from '../domain/principal.ts';
import { newEvent, outboxWrite, OUTBOX_TTL_SECONDS } from '../events/outbox.ts';
import { logger } from '../logger.ts';
import { opportunityUrl, renderBuyNowEmail } from '../mail/buy-now-email.ts';
import { sendOnce } from '../mail/send-once.ts';
import { BUY_NOW_TOKEN_PATTERN, type BuyNowLinkView, type BuyNowOffer, type BuyNowPurchaseResult } from '../schemas/buy-now.ts';
import type { Page } from './store.ts';
import { commit, prepareChange, type PreparedChange } from './aggregate-writer.ts';
import { BUYNOW_LINK_PREFIX, buyNowLinkKey, buyNowMailReceiptKey, buyNowTokenKey, companyModel, contactModel, opportunityModel, stripeEventKey, userModel } from './keys.ts';
import { opportunities } from './opportunity-writes.ts';
import { companyAggregate, contactAggregate } from './party-writes.ts';
import { getPipelineSettings } from './pipeline-config.ts';
import { defaultTemplate } from './post-sale-templates.ts';
import type { Item } from './records.ts';
import { getItem, getRecord, queryPage, requireRecord, retryOnRace, updateItem, writeAll, type ExtraWrite } from './store.ts';
import { canSeeOpportunity, canWorkOpportunity } from './visibility.ts';
import type { BaseRecord } from './records.ts';

/**
 * Issue 12 buy-now links (SPEC §9, R-BUY-1..3). A link is an item in its opportunity's partition; its token (256
 * random bits, base64url) is shown once and never stored: the item keyed by its SHA-256 names the link, so a lookup
 * is one GetItem by hash whether or not the token exists (no string compare that could end early). A purchase wins
 * the opportunity through the same transition as R-OPP-3 (its won event spawns the post-sale process the owner's
 * preference asks for), tags the contact through its aggregate, marks the link used and emits buynow.purchased, all
 * in ONE transaction conditioned on the versions read: of concurrent purchases exactly one commits.
 */

export const newBuyNowToken = (): string => randomBytes(32).toString('base64url');
const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** The web shop's offer page: it reads the token from its address and calls the public routes. */
export const buyNowUrl = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, '')}/buy/${token}`;

const LINK_RECORD_TYPE = 'Buy-now link';
/** The TTL attribute (`expiresAt`) is a number of seconds; the link's own expiry is stored under another name. */
const linkItem = ({ expiresAt, ...link }: BuyNowLink): Item => ({ ...buyNowLinkKey(link.opportunityId, link.id), recordType: LINK_RECORD_TYPE, ...link, linkExpiresAt: expiresAt });

function linkOf(item: Item): BuyNowLink {
  return {
    id: item.id as string,
    opportunityId: item.opportunityId as string,
    amount: item.amount as BuyNowLink['amount'],
    description: (item.description as string | null | undefined) ?? null,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    expiresAt: item.linkExpiresAt as string,
    clicks: (item.clicks as number | undefined) ?? 0,
    lastClickedAt: (item.lastClickedAt as string | null | undefined) ?? null,
    clickDay: (item.clickDay as string | undefined) ?? '',
    purchase: (item.purchase as Purchase | null | undefined) ?? null,
    version: item.version as number,
  };
}

// The same answer as a token the route's parameter schema refuses (shared/http/api-handler.ts): nothing tells them apart.
const unknownLink = () => notFound();

const opportunityClosed = () => conflict('opportunity_closed', 'The opportunity of this offer is no longer open');

export interface IssuedLink {
  token: string;
  url: string;
  expiresAt: string;
}

export interface LinkInput {
  amount: { amount: number; currency?: string | undefined };
  description?: string | undefined;
  expiresInDays?: number | undefined;
}

/**
 * R-BUY-1: a new link for an open opportunity the caller may change. The link, its token's item and a check that
 * the opportunity is still open commit together (a deal closed meanwhile: 409, nothing written).
 */
export async function issueBuyNowLink(ctx: AppContext, principal: Principal, opportunityId: string, input: LinkInput, newToken = newBuyNowToken): Promise<IssuedLink> {
  const opportunity = await requireRecord<StoredOpportunity>(ctx, opportunityModel, opportunityId, canWorkOpportunity(ctx, principal));
  if (opportunity.status !== 'open') throw conflict('opportunity_closed', `A ${opportunity.status} opportunity gets no buy-now link`);
  const settings = await getPipelineSettings(ctx);
  const now = ctx.now();
  const token = newToken();
  const link: BuyNowLink = {
    id: ctx.newId(),
    opportunityId,
    amount: { amount: input.amount.amount, currency: input.amount.currency ?? ctx.config.defaultCurrency },
    description: input.description ?? null,
    createdBy: principal.userId,
    createdAt: now.toISOString(),
    expiresAt: expiryOf(now, input.expiresInDays ?? settings.buyNow.defaultExpireDays),
    clicks: 0,
    lastClickedAt: null,
    clickDay: '',
    purchase: null,
    version: 1,
  };
  const isNew = 'attribute_not_exists(PK)';
  await writeAll(ctx, [
    { write: { Put: { TableName: ctx.tableName, Item: linkItem(link), ConditionExpression: isNew } } },
    {
      write: { Put: { TableName: ctx.tableName, Item: { ...buyNowTokenKey(tokenHash(token)), recordType: 'Buy-now token', opportunityId, linkId: link.id }, ConditionExpression: isNew } },
      onConditionFailed: conflict('concurrent_update', 'Token collision; retry'),
    },
    {
      write: {
        ConditionCheck: {
          TableName: ctx.tableName,
          Key: opportunityModel.key(opportunityId),
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'open' },
        },
      },
      onConditionFailed: opportunityClosed(),
    },
  ]);
  return { token, url: buyNowUrl(ctx.config.appUrl, token), expiresAt: link.expiresAt };
}

/** R-BUY-1: an opportunity's links (the caller must see it), newest first, with their state now. */
export async function listBuyNowLinks(ctx: AppContext, principal: Principal, opportunityId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<BuyNowLinkView>> {
  await requireRecord<StoredOpportunity>(ctx, opportunityModel, opportunityId, canSeeOpportunity(ctx, principal));
  const found = await queryPage<Item>(ctx, { partition: opportunityModel.key(opportunityId).PK, sortKeyPrefix: BUYNOW_LINK_PREFIX, limit: page.limit, cursor: page.cursor });
  const now = ctx.now();
  return { items: found.items.map((item) => linkView(linkOf(item), now)), nextCursor: found.nextCursor };
}

/**
 * The link a token names and its opportunity: one GetItem by the token's hash, then the opportunity, then the link
 * (unknown or malformed: the same 404). The opportunity is read BEFORE the link: a purchase commits both at once, so
 * an opportunity read as won by a concurrent purchase comes with its link read as used (410, not 409).
 */
async function findLink(ctx: AppContext, token: string): Promise<{ link: BuyNowLink; opportunity: StoredOpportunity }> {
  if (!BUY_NOW_TOKEN_PATTERN.test(token)) throw unknownLink();
  const pointer = await getItem(ctx, buyNowTokenKey(tokenHash(token)), { consistent: true });
  if (!pointer) throw unknownLink();
  const opportunity = await getRecord<StoredOpportunity>(ctx, opportunityModel, pointer.opportunityId as string);
  if (!opportunity) throw unknownLink();
  const item = await getItem(ctx, buyNowLinkKey(pointer.opportunityId as string, pointer.linkId as string), { consistent: true });
  if (!item) throw unknownLink();
  return { link: linkOf(item), opportunity };
}

/** The tag added to the opportunity's contact (or, without one, its company) through its aggregate; nothing when it has it. */
async function tagChange(ctx: AppContext, opportunity: StoredOpportunity, tag: string | null, extra: ExtraWrite[]): Promise<PreparedChange<BaseRecord>> {
  const actorId = opportunity.ownerId;
  if (tag && opportunity.contactId) {
    const contact = await getRecord(ctx, contactModel, opportunity.contactId);
    const tags = contact && withTag(contact.tags, tag);
    if (contact && tags) return prepareChange(ctx, contactAggregate, { records: [{ before: contact, after: patchContact(contact, { tags }, contact.customFields) }], actorId, extra });
  } else if (tag && opportunity.companyId) {
    const company = await getRecord(ctx, companyModel, opportunity.companyId);
    const tags = company && withTag(company.tags, tag);
    if (company && tags) return prepareChange(ctx, companyAggregate, { records: [{ before: company, after: patchCompany(company, { tags }, company.customFields) }], actorId, extra });
  }
  return { written: [], writes: extra };
}

const partiesOf = (opportunity: StoredOpportunity) => ({ opportunityId: opportunity.id, contactId: opportunity.contactId, ownerId: opportunity.ownerId });

/**
 * GET /buy/{token}: the offer. Every click is counted; the first of a UTC day also tags the contact (onClick.tag) and
 * emits buynow.clicked in one transaction conditioned on that day not being taken yet, then mails the rep
 * (onClick.notifyRep, once per link and day). Expired or used: 410; its deal won or lost meanwhile: 409
 * `opportunity_closed`, nothing counted (a restored deal's link works again).
 */
export async function openBuyNowOffer(ctx: AppContext, token: string): Promise<BuyNowOffer> {
  const { offer, mail } = await retryOnRace(async () => {
    const { link, opportunity } = await findLink(ctx, token);
    const now = ctx.now();
    requireOpenLink(link, now);
    // What the purchase would refuse is refused before the buyer pays (with Stripe, a payment nobody can take).
    if (opportunity.status !== 'open') throw opportunityClosed();
    const settings = await getPipelineSettings(ctx);
    const offer = offerOf(link, opportunity.title, ctx.config.sellerName, settings.buyNow.confirmation);
    const day = dayOf(now);
    const at = now.toISOString();
    const key = buyNowLinkKey(link.opportunityId, link.id);
    if (link.clickDay === day) {
      await updateItem(ctx, key, { expression: 'SET clicks = clicks + :one, lastClickedAt = :at', values: { ':one': 1, ':at': at } }, { expression: 'attribute_exists(PK)' });
      return { offer, mail: undefined };
    }
    const counted: ExtraWrite = {
      write: {
        Update: {
          TableName: ctx.tableName,
          Key: key,
          UpdateExpression: 'SET clicks = clicks + :one, lastClickedAt = :at, clickDay = :day',
          ConditionExpression: 'clickDay <> :day',
          ExpressionAttributeValues: { ':one': 1, ':at': at, ':day': day },
        },
      },
      // Another click of the same day took its effects meanwhile: this one only counts (read again).
      onConditionFailed: conflict('concurrent_update', 'Another click of today was recorded meanwhile'),
    };
    const clicked = outboxWrite(ctx, newEvent(ctx, 'buynow.clicked', null, { ...partiesOf(opportunity), linkId: link.id }));
    await commit(ctx, await tagChange(ctx, opportunity, settings.buyNow.onClick.tag, [counted, clicked]));
    return { offer, mail: settings.buyNow.onClick.notifyRep ? { opportunity, link, receipt: `click#${day}` } : undefined };
  });
  if (mail) await mailRep(ctx, 'clicked', mail.opportunity, mail.link, mail.receipt);
  return offer;
}

export interface PurchaseOutcome {
  outcome: 'purchased' | 'replayed';
  result: BuyNowPurchaseResult;
}

export interface PurchaseOptions {
  /** Who confirms it: the buyer's page (refused with `buyNow.confirmation: stripe`) or Stripe's webhook. */
  via: Confirmation;
  /** The Stripe event making it: its receipt commits with the purchase, so a replayed event changes nothing. */
  stripeEventId?: string | undefined;
}

/** R-BUY-3: two deliveries of one Stripe event at once: the second finds the first's receipt. */
export const STRIPE_EVENT_REPLAYED = 'stripe_event_replayed';

/**
 * POST /buy/{token}/purchase and the Stripe webhook: wins the opportunity (R-OPP-3's transition, reason
 * buyNow.winReasonId, post-sale per the owner's preference), tags the contact (onPurchase.tag), marks the link used
 * and emits buynow.purchased in one transaction, then mails the rep (onPurchase.notifyRep). The same paymentRef
 * again answers the first result; a lost race reads again (so the losers of concurrent purchases get 410).
 */
export async function purchaseBuyNow(ctx: AppContext, token: string, paymentRef: string, options: PurchaseOptions): Promise<PurchaseOutcome> {
  const done = await retryOnRace(async () => {
    const { link, opportunity } = await findLink(ctx, token);
    const now = ctx.now();
    const decision = purchaseDecision(link, paymentRef, now);
    if (decision === 'replay') return { outcome: 'replayed' as const, result: purchaseResultOf({ ...link, purchase: link.purchase! }, opportunity.title), mail: undefined };
    const settings = await getPipelineSettings(ctx);
    if (options.via === 'client' && settings.buyNow.confirmation === 'stripe') throw paymentRequired();
    if (opportunity.status !== 'open') throw opportunityClosed();
    const [owner, fallback] = await Promise.all([getRecord(ctx, userModel, opportunity.ownerId), defaultTemplate(ctx)]);
    // R-PS-2: a buy-now purchase follows the opportunity owner's preference ("ask" creates none: nobody is asked).
    const postSale = postSaleOnWin(owner?.postSaleOnWin ?? 'ask', { named: null, defaultExists: fallback !== undefined }, ctx.newId());
    const at = now.toISOString();
    const winReasonIds = settings.buyNow.winReasonId ? [settings.buyNow.winReasonId] : [];
    // The buy-now rule names the reason: requireWinReason is for people closing a deal by hand.
    const transition = win(opportunity, { winReasonIds, closingNote: null }, { winStageId: settings.winStageId, requireWinReason: false }, at);
    const events = transition.events.map((event) => ({ ...event, data: { ...event.data, postSale: postSale.decision } }));
    const purchase: Purchase = { paymentRef, purchasedAt: at, confirmedBy: options.via };
    const used: ExtraWrite = {
      write: {
        Update: {
          TableName: ctx.tableName,
          Key: buyNowLinkKey(link.opportunityId, link.id),
          UpdateExpression: 'SET purchase = :purchase, version = version + :one',
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':purchase': purchase, ':one': 1, ':read': link.version },
        },
      },
      onConditionFailed: conflict('concurrent_update', 'The link was bought meanwhile'),
    };
    const purchased = outboxWrite(ctx, newEvent(ctx, 'buynow.purchased', null, { ...partiesOf(opportunity), linkId: link.id, paymentRef, amount: link.amount }));
    const receipt: ExtraWrite[] = options.stripeEventId
      ? [
          {
            write: {
              Put: {
                TableName: ctx.tableName,
                Item: { ...stripeEventKey(options.stripeEventId), recordType: 'Stripe event', linkId: link.id, at, expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            onConditionFailed: conflict(STRIPE_EVENT_REPLAYED, 'This Stripe event was handled already'),
          },
        ]
      : [];
    const won = await prepareChange(ctx, opportunities, {
      records: [{ before: opportunity, after: transition.next }],
      history: transition.history,
      events,
      actorId: opportunity.ownerId,
      extra: [used, purchased, ...receipt],
    });
    await commit(ctx, won, await tagChange(ctx, opportunity, settings.buyNow.onPurchase.tag, []));
    const bought = { ...link, purchase };
    return { outcome: 'purchased' as const, result: purchaseResultOf(bought, opportunity.title), mail: settings.buyNow.onPurchase.notifyRep ? { opportunity, link: bought } : undefined };
  });
  if (done.mail) await mailRep(ctx, 'purchased', done.mail.opportunity, done.mail.link, 'purchase');
  return { outcome: done.outcome, result: done.result };
}

/** Whether a Stripe event was handled already (its receipt). */
export async function stripeEventHandled(ctx: AppContext, eventId: string): Promise<boolean> {
  return (await getItem(ctx, stripeEventKey(eventId), { consistent: true })) !== undefined;
}

/** Buy-now mail receipts outlive any retry of the same click day or purchase. */
const MAIL_RECEIPT_TTL_SECONDS = 40 * 24 * 60 * 60;

/**
 * The rep's mail (the opportunity's owner), once per receipt. The change is committed already: a mail that fails
 * after its retries is logged (an alarm sees the error), it never turns the buyer's answer into an error.
 */
async function mailRep(ctx: AppContext, kind: 'clicked' | 'purchased', opportunity: StoredOpportunity, link: BuyNowLink, receipt: string): Promise<void> {
  const about = { linkId: link.id, opportunityId: opportunity.id, kind };
  try {
    const owner = await getRecord(ctx, userModel, opportunity.ownerId);
    if (!owner?.active) return;
    const mail = renderBuyNowEmail({
      kind,
      recipientName: owner.name,
      opportunityTitle: opportunity.title,
      opportunityUrl: opportunityUrl(ctx.config.appUrl, opportunity.id),
      amount: link.amount,
      paymentRef: link.purchase?.paymentRef,
    });
    await sendOnce(ctx, { key: buyNowMailReceiptKey(link.id, receipt), ttlSeconds: MAIL_RECEIPT_TTL_SECONDS, label: 'buy-now', about }, owner.email, mail);
  } catch (error) {
    logger.error('The buy-now mail to the rep failed', { ...about, error });
  }
}
