import type { AppContext } from '../../shared/app-context.ts';
import { opportunityLifecycleContracts } from '../../shared/contracts/opportunity-lifecycle.ts';
import { openOpportunitiesGuardKey, opportunityModel, postSaleGuardKey, stageModel, userModel } from '../../shared/db/keys.ts';
import { addNote, listOpportunityEntries } from '../../shared/db/opportunity-entries.ts';
import { commitOpportunityChange, findOpportunities, type KnownGuards, readGuards, transitionOpportunity, type TransitionOptions } from '../../shared/db/opportunity-writes.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { defaultTemplate, findTemplate } from '../../shared/db/post-sale-templates.ts';
import { resolveReasonChoice, resolveReasonIds } from '../../shared/db/reasons.ts';
import { getItem, getRecord, requireRecord, retryOnRace } from '../../shared/db/store.ts';
import { canSeeOpportunity, canWorkOpportunity } from '../../shared/db/visibility.ts';
import { withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { forbidden, throwIfInvalid, validationFailed } from '../../shared/domain/errors.ts';
import type { StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { archive, chooseSurvivor, lose, merge, restore, restoreStageId, type Transition, unarchive, win } from '../../shared/domain/opportunity-lifecycle.ts';
import { mapLimited } from '../../shared/concurrency.ts';
import { postSaleOnWin, type WinPostSale } from '../../shared/domain/post-sale.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { hasChoice, lossReasonChoice } from '../../shared/domain/reasons.ts';
import { ownsOrManages } from '../../shared/domain/sharing.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { recordIdRules, runBulk, runBulkOnDistinctIds } from '../../shared/http/bulk.ts';
import { implement } from '../../shared/http/route.ts';
import type { BulkRestoreResult } from '../../shared/schemas/opportunities.ts';
import type { PipelineSettings, Stage } from '../../shared/schemas/pipeline.ts';

/**
 * Won, lost, restore (single and bulk), archive, merge, history and notes of opportunities (R-OPP-2..R-OPP-10).
 * Each transition reads the opportunity, plans the change with the pure rules of
 * shared/domain/opportunity-lifecycle.ts and commits it in one transaction (shared/db/opportunity-writes.ts).
 */

const transitionOptions = (ctx: AppContext, principal: Principal, ifMatch?: number): TransitionOptions => ({
  actorId: principal.userId,
  canSee: canWorkOpportunity(ctx, principal),
  ifMatch,
});

/** A record as clients see it: custom fields of deleted definitions hidden (R-CFG-4). */
async function shown(ctx: AppContext, record: StoredOpportunity): Promise<StoredOpportunity> {
  return withVisibleCustomFields(record, await customFieldDefinitions(ctx, 'opportunity'));
}

/** What restores and merges read of the pipeline: its settings and stages. */
interface PipelineReads {
  settings(): Promise<PipelineSettings>;
  stage(id: string): Promise<Stage | undefined>;
}

/** Fresh reads every time: one request, whose retries must see what changed meanwhile. */
const freshReads = (ctx: AppContext): PipelineReads => ({
  settings: () => getPipelineSettings(ctx),
  stage: (id) => getRecord(ctx, stageModel, id),
});

/**
 * Reads made once for a whole bulk request (100 restores would read the same settings and stages 100 times).
 * A stage deleted during the request then fails its restores' commits, and those ids answer 409 concurrent_update.
 */
function sharedReads(ctx: AppContext): PipelineReads {
  let settings: Promise<PipelineSettings> | undefined;
  const stages = new Map<string, Promise<Stage | undefined>>();
  return {
    settings: () => (settings ??= getPipelineSettings(ctx)),
    stage: (id) => {
      const stage = stages.get(id) ?? getRecord(ctx, stageModel, id);
      stages.set(id, stage);
      return stage;
    },
  };
}

/** R-OPP-6: the stage a closed opportunity returns to, or the default stage when that one was deleted. */
async function reopenStage(pipeline: PipelineReads, current: StoredOpportunity, settings: PipelineSettings): Promise<Stage> {
  const wanted = restoreStageId(current);
  const stage = (wanted ? await pipeline.stage(wanted) : undefined) ?? (await pipeline.stage(settings.defaultStageId));
  if (!stage) throw new Error(`The default stage ${settings.defaultStageId} is missing`);
  return stage;
}

/** R-OPP-6; restoring into an active stage obeys duplicate prevention (R-OPP-2). */
function restoreOne(ctx: AppContext, pipeline: PipelineReads, options: TransitionOptions & { id: string; knownGuards?: KnownGuards }): Promise<StoredOpportunity> {
  return transitionOpportunity(ctx, options.id, options, async (current) => {
    const settings = await pipeline.settings();
    const transition = restore(current, await reopenStage(pipeline, current, settings));
    return { ...transition, duplicateCheck: { activeStageIds: settings.activeStageIds }, knownGuards: options.knownGuards };
  });
}

/**
 * Transactions (and single restores) of a bulk restore run this many at a time; the single restores of one party run
 * one after the other, as they share its duplicate guard.
 */
const BULK_CONCURRENCY = 10;

/** Restores committed together in one transaction (each ~7 items: record, history entry, stage use moved, guard, outbox; 12 stay under the 100 a transaction holds, and a refused transaction falls back to single restores). */
const RESTORES_PER_TRANSACTION = 12;

interface PlannedRestore {
  current: StoredOpportunity;
  transition: Transition;
}

/**
 * Groups of planned restores for one transaction each: at most one opportunity of a party in a group (the
 * opportunities of one party share its duplicate guard, and the second must be judged after the first).
 */
function restoreGroups(planned: ReadonlyMap<string, PlannedRestore>): string[][] {
  const groups: { ids: string[]; parties: Set<string> }[] = [];
  for (const [id, { current }] of planned) {
    const party = openOpportunitiesGuardKey(current).PK;
    let group = groups.find((candidate) => candidate.ids.length < RESTORES_PER_TRANSACTION && !candidate.parties.has(party));
    if (!group) groups.push((group = { ids: [], parties: new Set() }));
    group.ids.push(id);
    group.parties.add(party);
  }
  return groups.map((group) => group.ids);
}

/**
 * R-OPP-6 bulk (issue 14 item 5): the records, their parties' duplicate guards and the settings are read once; the
 * restores that can be planned from them are committed RESTORES_PER_TRANSACTION to a transaction, BULK_CONCURRENCY
 * transactions at a time. Any other id (unknown, invisible, not closed), and every id of a transaction that was
 * refused (a duplicate, a lost race), is then restored on its own as a single request would be, so one bad id does
 * not stop the others and each result is the single request's. Results come in the order of the ids. A malformed id
 * is never read and answers 404 like an unknown one; a repeated id is planned and restored once (one transaction
 * never holds the same record twice) and each repeat gets its result.
 */
function restoreMany(ctx: AppContext, principal: Principal, ids: readonly string[]): Promise<BulkRestoreResult> {
  return runBulkOnDistinctIds(ids, recordIdRules(opportunityModel.label), (distinct) => restoreDistinct(ctx, principal, distinct));
}

/** restoreMany of well-formed ids, each once. */
async function restoreDistinct(ctx: AppContext, principal: Principal, ids: readonly string[]): Promise<BulkRestoreResult> {
  const found = new Map((await findOpportunities(ctx, ids)).map((record) => [record.id, record]));
  const pipeline = sharedReads(ctx);
  const [knownGuards, settings] = await Promise.all([readGuards(ctx, [...found.values()]), pipeline.settings()]);
  const options = transitionOptions(ctx, principal);
  const planned = new Map<string, PlannedRestore>();
  await Promise.all(
    ids.map(async (id) => {
      const current = found.get(id);
      try {
        if (current && (await options.canSee!(current))) planned.set(id, { current, transition: restore(current, await reopenStage(pipeline, current, settings)) });
      } catch {
        // Answered by the restore on its own below, with the same refusal.
      }
    }),
  );
  const restored = new Set<string>();
  await mapLimited(restoreGroups(planned), BULK_CONCURRENCY, async (group) => {
    const restores = group.map((id) => planned.get(id)!);
    try {
      await commitOpportunityChange(ctx, {
        records: restores.map(({ current, transition }) => ({ before: current, after: transition.next })),
        history: restores.flatMap(({ transition }) => transition.history),
        events: restores.flatMap(({ transition }) => transition.events),
        actorId: principal.userId,
        duplicateCheck: { activeStageIds: settings.activeStageIds },
        knownGuards,
      });
      for (const id of group) restored.add(id);
    } catch {
      // Each of them is restored on its own below: its result is then exactly a single request's.
    }
  });
  const alone = await runBulk(
    ids.filter((id) => !restored.has(id)),
    (id) => restoreOne(ctx, pipeline, { ...options, id, read: found.get(id), knownGuards }),
    {
      label: 'opportunity',
      concurrency: BULK_CONCURRENCY,
      laneOf: (id) => {
        const record = found.get(id);
        return record ? openOpportunitiesGuardKey(record).PK : id;
      },
    },
  );
  const outcomes = new Map(alone.results.map((result) => [result.id, result]));
  return { results: ids.map((id) => outcomes.get(id) ?? { id, ok: true }) };
}

/**
 * R-OPP-8: one transaction deletes the merged ones and writes the survivor, its merge history entry and the
 * guards; if any of them cannot be seen by the caller, nothing happens (404). Merging one away deletes it, so it
 * needs the right to delete it (issue 13 item 2): a rep that sees one only through a share gets a 403.
 */
function mergeOpportunities(ctx: AppContext, principal: Principal, ids: readonly string[], targetId: string | undefined): Promise<StoredOpportunity> {
  return retryOnRace(async () => {
    const canSee = canWorkOpportunity(ctx, principal);
    const [records, settings, definitions] = await Promise.all([
      Promise.all(ids.map((id) => requireRecord<StoredOpportunity>(ctx, opportunityModel, id, canSee))),
      getPipelineSettings(ctx),
      customFieldDefinitions(ctx, 'opportunity'),
    ]);
    const survivor = chooseSurvivor(records, targetId);
    const others = records.filter((record) => record.id !== survivor.id);
    if (others.some((record) => !ownsOrManages(principal, record))) throw forbidden('Only the owner, a manager or an admin may merge an opportunity away');
    const merged = merge(survivor, others, survivor.status === 'open' ? undefined : await reopenStage(freshReads(ctx), survivor, settings), definitions);
    const [written] = await commitOpportunityChange(ctx, {
      records: [{ before: survivor, after: merged.next }, ...merged.removed.map((removed) => ({ before: removed }))],
      history: merged.history,
      events: merged.events,
      actorId: principal.userId,
      duplicateCheck: { activeStageIds: settings.activeStageIds },
    });
    return written!;
  });
}

/**
 * R-PS-2: what the winner's preference asks for, unless the deal has its process already (won before, then restored);
 * a template named must exist (400 on `postSaleTemplateId`).
 */
async function postSaleOfWin(ctx: AppContext, principal: Principal, opportunityId: string, templateId: string | undefined): Promise<WinPostSale> {
  const [winner, named, fallback, process] = await Promise.all([
    getRecord(ctx, userModel, principal.userId),
    templateId ? findTemplate(ctx, templateId) : undefined,
    templateId ? undefined : defaultTemplate(ctx),
    getItem(ctx, postSaleGuardKey(opportunityId), { consistent: true }),
  ]);
  if (templateId && !named) throw validationFailed([{ path: 'postSaleTemplateId', message: 'No such post-sale template' }]);
  return postSaleOnWin(winner?.postSaleOnWin ?? 'ask', { named: templateId ?? null, defaultExists: fallback !== undefined }, ctx.newId(), process !== undefined);
}

export const opportunityLifecycleRoutes = [
  implement(opportunityLifecycleContracts.winOpportunity, async ({ ctx, principal, params, body, ifMatch }) => {
    const postSale = await postSaleOfWin(ctx, principal, params.id, body.postSaleTemplateId);
    const won = await transitionOpportunity(ctx, params.id, transitionOptions(ctx, principal, ifMatch), async (current) => {
      const [settings, reasons] = await Promise.all([getPipelineSettings(ctx), resolveReasonIds(ctx, 'win', body.winReasonIds ?? [], 'winReasonIds')]);
      throwIfInvalid(reasons.errors);
      const transition = win(current, { winReasonIds: reasons.reasons.map((reason) => reason.id), closingNote: body.closingNote ?? null }, settings, ctx.now().toISOString());
      // R-PS-2: the won event carries the decision; its consumer creates the process.
      const events = transition.events.map((event) => ({ ...event, data: { ...event.data, postSale: postSale.decision } }));
      return { ...transition, events, extra: reasons.writes };
    });
    return { ...(await shown(ctx, won)), postSale: postSale.answer };
  }),
  implement(opportunityLifecycleContracts.loseOpportunity, async ({ ctx, principal, params, body, ifMatch }) => {
    const choice = lossReasonChoice(body);
    const lost = await transitionOpportunity(ctx, params.id, transitionOptions(ctx, principal, ifMatch), async (current) => {
      const [settings, reason] = await Promise.all([
        getPipelineSettings(ctx),
        hasChoice(choice) ? resolveReasonChoice(ctx, 'loss', choice, { reasonId: 'lostReasonId', description: 'lostReason' }) : undefined,
      ]);
      throwIfInvalid(reason?.errors ?? []);
      const transition = lose(current, { lostReasonId: reason?.resolved?.reason.id ?? null, closingNote: body.closingNote ?? null }, settings, ctx.now().toISOString());
      return { ...transition, extra: reason?.resolved?.writes ?? [] };
    });
    return shown(ctx, lost);
  }),
  implement(opportunityLifecycleContracts.restoreOpportunity, async ({ ctx, principal, params, ifMatch }) => shown(ctx, await restoreOne(ctx, freshReads(ctx), { ...transitionOptions(ctx, principal, ifMatch), id: params.id }))),
  implement(opportunityLifecycleContracts.restoreOpportunities, ({ ctx, principal, body }) => restoreMany(ctx, principal, body.ids)),
  implement(opportunityLifecycleContracts.archiveOpportunity, async ({ ctx, principal, params, ifMatch }) =>
    shown(ctx, await transitionOpportunity(ctx, params.id, transitionOptions(ctx, principal, ifMatch), archive))),
  implement(opportunityLifecycleContracts.unarchiveOpportunity, async ({ ctx, principal, params, ifMatch }) =>
    shown(
      ctx,
      await transitionOpportunity(ctx, params.id, transitionOptions(ctx, principal, ifMatch), async (current) => ({
        ...unarchive(current),
        duplicateCheck: { activeStageIds: (await getPipelineSettings(ctx)).activeStageIds },
      })),
    )),
  implement(opportunityLifecycleContracts.mergeOpportunities, async ({ ctx, principal, body }) => shown(ctx, await mergeOpportunities(ctx, principal, body.ids, body.targetId))),
  implement(opportunityLifecycleContracts.listOpportunityHistory, async ({ ctx, principal, params, query }) => {
    const current = await requireRecord<StoredOpportunity>(ctx, opportunityModel, params.id, canSeeOpportunity(ctx, principal));
    return listOpportunityEntries(ctx, current, 'history', { ...query, ascending: true });
  }),
  implement(opportunityLifecycleContracts.addOpportunityNote, async ({ ctx, principal, params, body }) => {
    const current = await requireRecord<StoredOpportunity>(ctx, opportunityModel, params.id, canWorkOpportunity(ctx, principal));
    return addNote(ctx, current, principal.userId, body.body);
  }),
  implement(opportunityLifecycleContracts.listOpportunityNotes, async ({ ctx, principal, params, query }) => {
    const current = await requireRecord<StoredOpportunity>(ctx, opportunityModel, params.id, canSeeOpportunity(ctx, principal));
    return listOpportunityEntries(ctx, current, 'note', { ...query, ascending: false });
  }),
];

export const handler = createApiHandler(opportunityLifecycleRoutes);
