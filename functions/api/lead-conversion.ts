import type { AppContext } from '../../shared/app-context.ts';
import { leadContracts } from '../../shared/contracts/leads.ts';
import { commit, prepareChange } from '../../shared/db/aggregate-writer.ts';
import { companyModel, contactModel, leadModel, leadStatusModel, opportunityModel, stageModel } from '../../shared/db/keys.ts';
import { prepareLeadChange } from '../../shared/db/lead-writes.ts';
import { opportunities } from '../../shared/db/opportunity-writes.ts';
import { companyAggregate, contactAggregate } from '../../shared/db/party-writes.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { opportunityOwnerErrors, unknownReference } from '../../shared/db/references.ts';
import { getRecord, newRecord, requireRecord, retryOnRace } from '../../shared/db/store.ts';
import { canSeeOwned } from '../../shared/domain/access.ts';
import { visibleCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { throwIfInvalid, validationFailed } from '../../shared/domain/errors.ts';
import { carriedCustomFields, conversionInput, conversionRefusal, convertLead, reconversionRefusal, type StoredLead } from '../../shared/domain/leads.ts';
import { buildOpportunity, closingStageErrors, initialStageId, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { create } from '../../shared/domain/opportunity-lifecycle.ts';
import { newCompanyFields, newContactFields } from '../../shared/domain/parties.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import { type ApiResult, implement, result } from '../../shared/http/route.ts';
import type { Company, Contact } from '../../shared/schemas/contacts.ts';
import type { ConvertLeadInput, Lead } from '../../shared/schemas/leads.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';

/** R-LEAD-5: a qualified lead becomes a contact or a company, optionally with an opportunity. */

interface Conversion {
  lead: Lead;
  contact: Contact | null;
  company: Company | null;
  opportunity: Opportunity | null;
}

/** The records a converted lead links, as they are now (null when one was deleted since). */
async function conversionOf(ctx: AppContext, converted: StoredLead): Promise<Conversion> {
  const to = converted.convertedTo!;
  const [contact, company, opportunity, leadFields, contactFields, companyFields, opportunityFields] = await Promise.all([
    to.contactId ? getRecord(ctx, contactModel, to.contactId) : undefined,
    to.companyId ? getRecord(ctx, companyModel, to.companyId) : undefined,
    to.opportunityId ? getRecord(ctx, opportunityModel, to.opportunityId) : undefined,
    customFieldDefinitions(ctx, 'lead'),
    to.contactId ? customFieldDefinitions(ctx, 'contact') : [],
    to.companyId ? customFieldDefinitions(ctx, 'company') : [],
    to.opportunityId ? customFieldDefinitions(ctx, 'opportunity') : [],
  ]);
  return {
    lead: withVisibleCustomFields(converted, leadFields),
    contact: contact ? withVisibleCustomFields(contact, contactFields) : null,
    company: company ? withVisibleCustomFields(company, companyFields) : null,
    opportunity: opportunity ? withVisibleCustomFields(opportunity, opportunityFields) : null,
  };
}

/**
 * The opportunity a conversion asks for, checked like POST /opportunities (R-OPP-1: the stage, the default stage,
 * the owner and its assign-to group), owned by the lead's owner. Field errors are reported under `createOpportunity`.
 */
async function conversionOpportunity(
  ctx: AppContext,
  lead: StoredLead,
  request: NonNullable<ConvertLeadInput['createOpportunity']>,
  party: { contactId: string | null; companyId: string | null },
) {
  const settings = await getPipelineSettings(ctx);
  const stageId = initialStageId(request, settings);
  const [stage, ownerProblems] = await Promise.all([getRecord(ctx, stageModel, stageId), opportunityOwnerErrors(ctx, settings, lead.ownerId)]);
  const errors = [...(stage ? [] : [unknownReference(stageModel, 'stageId')]), ...closingStageErrors(request.stageId, settings), ...ownerProblems];
  throwIfInvalid(errors.map((error) => ({ ...error, path: `createOpportunity.${error.path}` })));
  const record: StoredOpportunity = newRecord(
    ctx,
    buildOpportunity(
      { title: request.title, ...(party.contactId ? { contactId: party.contactId } : { companyId: party.companyId! }) },
      { ownerId: lead.ownerId, stage: stage!, contactCompanyId: null, customFields: {}, defaultCurrency: ctx.config.defaultCurrency },
    ),
  );
  return { record, settings };
}

/**
 * R-LEAD-5: one transaction creates the contact or company, the opportunity if asked for (with its history, its
 * events and the R-OPP-2 duplicate guard of its new party, through the same commit as POST /opportunities), and
 * marks the lead converted with its history entry: no half-converted lead. A lead already converted is answered
 * with the records it became (200) and nothing is written, unless the body asks for what it did not become (409,
 * `reconversionRefusal`); a race between two conversions is retried and then meets the winner's records.
 */
function convert(ctx: AppContext, principal: Principal, id: string, body: ConvertLeadInput): Promise<ApiResult<Conversion>> {
  return retryOnRace(async () => {
    const current = await requireRecord<StoredLead>(ctx, leadModel, id, canSeeOwned(principal));
    if (current.convertedTo) {
      const refusal = reconversionRefusal(current.convertedTo, body);
      if (refusal) throw refusal;
      return result(await conversionOf(ctx, current), { status: 200 });
    }
    const refusal = conversionRefusal(current, await getRecord(ctx, leadStatusModel, current.statusId));
    if (refusal) throw refusal;

    const [leadFields, targetFields] = await Promise.all([customFieldDefinitions(ctx, 'lead'), customFieldDefinitions(ctx, body.into)]);
    const input = conversionInput(current, body.into, carriedCustomFields(visibleCustomFields(current.customFields, leadFields), targetFields));
    const contact = input.into === 'contact' ? newRecord(ctx, newContactFields(input.contact, current.ownerId, input.contact.customFields ?? {})) : null;
    const company = input.into === 'company' ? newRecord(ctx, newCompanyFields(input.company, current.ownerId, input.company.customFields ?? {})) : null;
    const party = { contactId: contact?.id ?? null, companyId: company?.id ?? null };
    const opportunity = body.createOpportunity ? await conversionOpportunity(ctx, current, body.createOpportunity, party) : undefined;

    const transition = convertLead(current, { ...party, opportunityId: opportunity?.record.id ?? null }, ctx.now().toISOString());
    // R-EVT-1: the conversion's event commits with it (its opportunity's own event comes with the opportunity's change).
    const converted = newEvent(ctx, 'lead.converted', principal.userId, { leadId: current.id, ...party, opportunityId: opportunity?.record.id ?? null, ownerId: current.ownerId });
    const actorId = principal.userId;
    const [lead, partyCreation, opportunityCreation] = await Promise.all([
      prepareLeadChange(ctx, current, { ...transition, events: [converted] }, actorId),
      contact ? prepareChange(ctx, contactAggregate, { records: [{ after: contact }], actorId }) : prepareChange(ctx, companyAggregate, { records: [{ after: company! }], actorId }),
      opportunity &&
        prepareChange(ctx, opportunities, {
          records: [{ after: opportunity.record }],
          ...create(opportunity.record),
          actorId,
          duplicateCheck: { activeStageIds: opportunity.settings.activeStageIds },
          stageGone: validationFailed([unknownReference(stageModel, 'createOpportunity.stageId')]),
        }),
    ]);
    await commit(ctx, lead, partyCreation, ...(opportunityCreation ? [opportunityCreation] : []));
    const [next] = lead.written;
    return result(
      {
        lead: withVisibleCustomFields(next!, leadFields),
        contact: contact && withVisibleCustomFields(contact, targetFields),
        company: company && withVisibleCustomFields(company, targetFields),
        opportunity: opportunity?.record ?? null,
      },
      { status: 201 },
    );
  });
}

export const leadConversionRoutes = [
  implement(leadContracts.convertLead, ({ ctx, principal, params, body }) => convert(ctx, principal, params.id, body)),
];
