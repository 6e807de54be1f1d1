import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { boardSummaryFor } from '../../shared/db/board-totals.ts';
import { expandPage, expandRecords, readByIds } from '../../shared/db/expand.ts';
import { opportunityContracts } from '../../shared/contracts/opportunities.ts';
import { companyModel, contactModel, opportunityModel, stageModel } from '../../shared/db/keys.ts';
import { opportunityQueries } from '../../shared/db/list-queries.ts';
import { isMergedListingCursor, mergedListing, recordsBelow } from '../../shared/db/merged-listing.ts';
import { commitOpportunityChange, removeOpportunity, transitionOpportunity } from '../../shared/db/opportunity-writes.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import type { BaseRecord, EntityModel } from '../../shared/db/records.ts';
import { opportunityOwnerErrors, unknownReference } from '../../shared/db/references.ts';
import { isSearch, searchPage } from '../../shared/db/search.ts';
import { listOwnAndShared } from '../../shared/db/shares.ts';
import { queryShownPage, requireShownRecord, shownRecords } from '../../shared/db/shown-records.ts';
import { type ExtraWrite, getRecord, newRecord, type Page, retryOnRace } from '../../shared/db/store.ts';
import { stillInService } from '../../shared/db/uses.ts';
import { canManageShared, canSeeOpportunity, canWorkOpportunity, canWorkShared } from '../../shared/db/visibility.ts';
import { seesEverything } from '../../shared/domain/access.ts';
import { applyCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { type FieldError, forbidden, throwIfInvalid, validationFailed } from '../../shared/domain/errors.ts';
import { applyOpportunityPatch, buildOpportunity, closingStageErrors, initialStageId, matchesOpportunityFilters, missingPartyErrors, planOpportunityListing, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { create, patch } from '../../shared/domain/opportunity-lifecycle.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { ownsOrManages } from '../../shared/domain/sharing.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import type { Stage } from '../../shared/schemas/pipeline.ts';

/** A record named in the body that was deleted (or is being deleted) by the time the write commits. */
const gone = <T extends BaseRecord>(model: EntityModel<T>, path: string) => validationFailed([unknownReference(model, path)]);
const stageGone = gone(stageModel, 'stageId');

/** The named records, and a field error for each one that is missing or that the caller may not see. */
interface References {
  errors: FieldError[];
  contactCompanyId: string | null;
  stage?: Stage;
}

async function checkReferences(
  ctx: AppContext,
  principal: Principal,
  named: { contactId?: string | null | undefined; companyId?: string | null | undefined; stageId?: string | undefined },
): Promise<References> {
  const [contact, company, stage] = await Promise.all([
    named.contactId ? getRecord(ctx, contactModel, named.contactId) : undefined,
    named.companyId ? getRecord(ctx, companyModel, named.companyId) : undefined,
    named.stageId ? getRecord(ctx, stageModel, named.stageId) : undefined,
  ]);
  // R-SHR-1: a rep may name a contact or company it owns or that is shared with it; one it only sees through a
  // post-sale assignment is a 403 (R-PS-6: read only), as a deal named on it would change it (R-CON-2, R-SHR-3).
  const [seesContact, seesCompany] = await Promise.all([
    contact ? canWorkShared(ctx, principal, 'contacts')(contact) : false,
    company ? canWorkShared(ctx, principal, 'companies')(company) : false,
  ]);
  const errors: FieldError[] = [];
  if (named.contactId && !seesContact) errors.push(unknownReference(contactModel, 'contactId'));
  if (named.companyId && !seesCompany) errors.push(unknownReference(companyModel, 'companyId'));
  if (named.stageId && !stage) errors.push(unknownReference(stageModel, 'stageId'));
  return { errors, contactCompanyId: contact?.companyId ?? null, ...(stage ? { stage } : {}) };
}

/**
 * The checks, committed with the write, that the contact and company an opportunity newly names still exist (its
 * stage is checked by `commitOpportunityChange`, answered with `stageGone`).
 */
function namedRecordsStillExist(ctx: AppContext, next: Opportunity, current?: Opportunity): ExtraWrite[] {
  const checks: ExtraWrite[] = [];
  // In service: not deleted, nor being deleted (shared/db/uses.ts).
  if (next.contactId && next.contactId !== current?.contactId) checks.push(stillInService(ctx, contactModel.key(next.contactId), gone(contactModel, 'contactId')));
  if (next.companyId && next.companyId !== current?.companyId) checks.push(stillInService(ctx, companyModel.key(next.companyId), gone(companyModel, 'companyId')));
  return checks;
}

/** A listing by filters (R-OPP-5): staff query the plan's partition; a rep's own partition is merged with what is shared with it (R-SHR-1). */
async function listOpportunities(ctx: AppContext, principal: Principal, query: z.output<typeof opportunityContracts.listOpportunities.query>): Promise<Page<Opportunity>> {
  const { limit, cursor, id: _ids, expand: _expand, q, ...filters } = query;
  const plan = planOpportunityListing(principal, filters);
  // Issue 14: `q` and `tag` are served by the search index; the other filters are checked on the records it finds.
  if (isSearch({ q, tag: filters.tag })) {
    const matches = (record: StoredOpportunity) => matchesOpportunityFilters(record, filters);
    const listing = { entity: 'opportunities' as const, model: opportunityModel, shared: 'opportunities' as const, ownRecords: plan.kind === 'query', q, tag: filters.tag, matches, scope: filters };
    return shownRecords(ctx, 'opportunity', await searchPage(ctx, principal, listing, { limit, cursor }));
  }
  const own = plan.kind === 'query' ? opportunityQueries(plan) : [];
  if (!seesEverything(principal)) {
    const matches = (record: StoredOpportunity) => matchesOpportunityFilters(record, filters);
    const page = await listOwnAndShared(ctx, principal, { model: opportunityModel, collection: 'opportunities', own, matches, scope: filters }, { limit, cursor });
    return shownRecords(ctx, 'opportunity', page);
  }
  const [only, ...more] = own;
  if (!only) return { items: [], nextCursor: null };
  // `status=won,lost`: one partition per status, merged newest first. A filtered partition (`ownerId=a,b`, the
  // default `active`) is read the same way, on until its page is full (SPEC §1 lists; merged-listing.ts bounds it).
  const scope = JSON.stringify(['opportunities-by-status', filters]);
  const single = more.length === 0;
  // An unfiltered partition pages by its own keys; so does a walk begun before filtered ones were merged listings
  // (its cursor is queryPage's: it goes on as it began, and a forged one is still a 400).
  if (single && (!only.filter || (cursor !== undefined && !(await isMergedListingCursor(ctx, cursor, scope))))) {
    return queryShownPage<Opportunity>(ctx, 'opportunity', { ...only, limit, cursor });
  }
  return shownRecords(ctx, 'opportunity', await mergedListing(ctx, own.map((query) => recordsBelow<Opportunity>(ctx, query)), scope, { limit, cursor }));
}

export const opportunityRoutes = [
  implement(opportunityContracts.listOpportunities, async ({ ctx, principal, query }) => {
    const { limit: _limit, id: ids, expand, ...others } = query;
    const page = ids
      ? await shownRecords(ctx, 'opportunity', await readByIds(ctx, principal, { model: opportunityModel, sight: { kind: 'shared', collection: 'opportunities' } }, ids, others))
      : await listOpportunities(ctx, principal, query);
    return expandPage(ctx, principal, page, expand);
  }),
  implement(opportunityContracts.getOpportunitySummary, ({ ctx, principal, query }) => boardSummaryFor(ctx, principal, query.ownerId)),
  implement(opportunityContracts.getOpportunity, async ({ ctx, principal, params, query }) => {
    const [record] = await expandRecords(ctx, principal, [await requireShownRecord(ctx, opportunityModel, 'opportunity', params.id, canSeeOpportunity(ctx, principal))], query.expand);
    return record!;
  }),
  implement(opportunityContracts.createOpportunity, async ({ ctx, principal, body }) => {
    const { allowDuplicate, ...fields } = body;
    const ownerId = fields.ownerId ?? principal.userId;
    // R-OPP-1: a rep creates for itself; R-OPP-2: only admins and managers may override duplicate prevention.
    if (!seesEverything(principal) && (ownerId !== principal.userId || allowDuplicate)) throw forbidden();

    const [settings, definitions] = await Promise.all([getPipelineSettings(ctx), customFieldDefinitions(ctx, 'opportunity')]);
    const stageId = initialStageId(fields, settings);
    const [references, ownerProblems] = await Promise.all([
      checkReferences(ctx, principal, { contactId: fields.contactId, companyId: fields.companyId, stageId }),
      opportunityOwnerErrors(ctx, settings, ownerId),
    ]);
    const customFields = applyCustomFields({}, fields.customFields ?? {}, definitions);
    throwIfInvalid([...references.errors, ...closingStageErrors(fields.stageId, settings), ...ownerProblems, ...customFields.errors]);

    const record = newRecord(
      ctx,
      buildOpportunity(fields, {
        ownerId,
        // An unknown stage is among the errors thrown above, so the stage was found.
        stage: references.stage!,
        contactCompanyId: references.contactCompanyId,
        customFields: customFields.values,
        defaultCurrency: ctx.config.defaultCurrency,
      }),
    );
    const { history, events } = create(record);
    // R-OPP-2: a lost race for the contact's duplicate guard is tried again, and then meets the winner (409).
    await retryOnRace(() =>
      commitOpportunityChange(ctx, {
        records: [{ after: record }],
        history,
        events,
        actorId: principal.userId,
        // With allowDuplicate (staff only) the new opportunity still joins the guard, unchecked.
        duplicateCheck: allowDuplicate ? undefined : { activeStageIds: settings.activeStageIds },
        extra: namedRecordsStillExist(ctx, record),
        stageGone,
      }),
    );
    return withVisibleCustomFields(record, definitions);
  }),
  implement(opportunityContracts.updateOpportunity, async ({ ctx, principal, params, body, ifMatch }) => {
    const [settings, definitions] = await Promise.all([getPipelineSettings(ctx), customFieldDefinitions(ctx, 'opportunity')]);
    const { allowDuplicate, ...change } = body;
    // R-OPP-2: only admins and managers may override duplicate prevention.
    if (allowDuplicate && !seesEverything(principal)) throw forbidden();
    const updated = await transitionOpportunity(ctx, params.id, { actorId: principal.userId, canSee: canWorkOpportunity(ctx, principal), ifMatch }, async (current) => {
      const reassigned = change.ownerId !== undefined && change.ownerId !== current.ownerId;
      // R-OPP-9: a rep hands over its own opportunity, not one merely shared with it.
      if (reassigned && !ownsOrManages(principal, current)) throw forbidden();
      // Only what the PATCH changes is checked: naming the current contact again is no new link.
      const changed = <K extends 'contactId' | 'companyId' | 'stageId'>(field: K) => (change[field] !== current[field] ? change[field] : undefined);
      const [references, ownerProblems] = await Promise.all([
        checkReferences(ctx, principal, { contactId: changed('contactId'), companyId: changed('companyId'), stageId: changed('stageId') }),
        reassigned ? opportunityOwnerErrors(ctx, settings, change.ownerId!) : [],
      ]);
      const customFields = applyCustomFields(current.customFields, change.customFields ?? {}, definitions);
      const patched = applyOpportunityPatch(current, change, {
        ...(references.stage ? { stage: references.stage } : {}),
        contactCompanyId: references.contactCompanyId,
        customFields: customFields.values,
        defaultCurrency: ctx.config.defaultCurrency,
      });
      throwIfInvalid([...references.errors, ...closingStageErrors(changed('stageId'), settings), ...ownerProblems, ...customFields.errors, ...missingPartyErrors(patched)]);
      const transition = patch(current, patched, change, settings, ctx.now().toISOString());
      // R-OPP-2 applies to a move to another contact or company, or into an active stage (the guards tell which).
      const duplicateCheck = allowDuplicate ? undefined : { activeStageIds: settings.activeStageIds };
      return { ...transition, duplicateCheck, extra: namedRecordsStillExist(ctx, transition.next, current), stageGone };
    });
    return withVisibleCustomFields(updated, definitions);
  }),
  implement(opportunityContracts.deleteOpportunity, async ({ ctx, principal, params, ifMatch }) => {
    await removeOpportunity(ctx, params.id, { actorId: principal.userId, canSee: canManageShared(ctx, principal, 'opportunities'), ifMatch });
    return undefined;
  }),
];

export const handler = createApiHandler(opportunityRoutes);
