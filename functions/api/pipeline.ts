import type { AppContext } from '../../shared/app-context.ts';
import { pipelineContracts } from '../../shared/contracts/pipeline.ts';
import { opportunities, reasons, stages } from '../../shared/db/access-patterns.ts';
import { groupModel, opportunityModel, PIPELINE_SETTINGS_ID, reasonModel, settingsModel, stageModel } from '../../shared/db/keys.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { claimReasonDescription, moveReasonDescription } from '../../shared/db/reasons.ts';
import { batchGetAll, createRecord, type ExtraWrite, getRecord, newRecord, partitionHasItems, queryPage, recordStillExists, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { deleteUnlessUsed } from '../../shared/db/uses.ts';
import { conflict, throwIfInvalid } from '../../shared/domain/errors.ts';
import { pipelineSettingsErrors, referencedStageIds, settingsFieldsUsingStage } from '../../shared/domain/pipeline-settings.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import type { PipelineSettings, PipelineSettingsInput, Reason, Stage } from '../../shared/schemas/pipeline.ts';

/** The ids among `stageIds` that name a stage (the settings name a few dozen at most: one BatchGet). */
async function existingStageIds(ctx: AppContext, stageIds: readonly string[]): Promise<Set<string>> {
  const found = await batchGetAll(ctx, stageIds.map((stageId) => stageModel.key(stageId)), { attributes: ['id'] });
  return new Set(found.map((item) => item.id as string));
}

/** Commits only if the stage still exists: a stage deleted after the check would leave the settings naming it. */
const stageStillExists = (ctx: AppContext, stageId: string): ExtraWrite =>
  recordStillExists(ctx, stageModel, stageId, conflict('concurrent_update', `Stage ${stageId} was deleted meanwhile; read the stages again`));

/** Commits only if the settings did not change since they were checked (they could have started naming the stage). */
const settingsUnchangedSince = (ctx: AppContext, settings: PipelineSettings): ExtraWrite => ({
  write: {
    ConditionCheck: {
      TableName: ctx.tableName,
      Key: settingsModel.key(PIPELINE_SETTINGS_ID),
      ConditionExpression: 'version = :settingsVersion',
      ExpressionAttributeValues: { ':settingsVersion': settings.version },
    },
  },
  onConditionFailed: conflict('concurrent_update', 'The pipeline settings changed while deleting the stage; retry'),
});

/** R-CFG-1: a stage named by the settings or holding any opportunity (open, won, lost or archived) stays. */
async function deleteStage(ctx: AppContext, stageId: string, ifMatch: number | undefined): Promise<void> {
  const settings = await getPipelineSettings(ctx);
  await deleteUnlessUsed(ctx, stageModel, stageId, {
    ifMatch,
    check: (current) => {
      const fields = settingsFieldsUsingStage(settings, current.id);
      if (fields.length > 0) throw conflict('stage_in_use', `The pipeline settings use this stage (${fields.join(', ')})`);
    },
    usedBy: [
      {
        user: opportunityModel,
        byIndex: (current) => partitionHasItems(ctx, opportunities.inStage(current.id)),
        inUse: conflict('stage_in_use', 'Opportunities are in this stage; move them to another stage first'),
      },
    ],
    extra: () => [settingsUnchangedSince(ctx, settings)],
  });
}

/** R-CFG-2: PUT replaces the whole document, once every id it names is known to exist. */
async function replacePipelineSettings(ctx: AppContext, input: PipelineSettingsInput, ifMatch: number | undefined): Promise<PipelineSettings> {
  const stageIds = referencedStageIds(input);
  const [stages, group, winReason] = await Promise.all([
    existingStageIds(ctx, stageIds),
    input.assignToGroupId === null ? undefined : getRecord(ctx, groupModel, input.assignToGroupId),
    input.buyNow.winReasonId === null ? undefined : getRecord(ctx, reasonModel, input.buyNow.winReasonId),
  ]);
  throwIfInvalid(
    pipelineSettingsErrors(input, {
      stageIds: stages,
      groupIds: new Set(group ? [group.id] : []),
      reasonKinds: new Map(winReason ? [[winReason.id, winReason.kind]] : []),
    }),
  );
  return updateRecord(ctx, settingsModel, PIPELINE_SETTINGS_ID, (current) => ({ ...current, ...input }), {
    ifMatch,
    extra: () => stageIds.map((stageId) => stageStillExists(ctx, stageId)),
  });
}

export const pipelineRoutes = [
  implement(pipelineContracts.listStages, ({ ctx, query }) => queryPage<Stage>(ctx, { ...stages.inOrder(), ascending: true, ...query })),
  implement(pipelineContracts.createStage, ({ ctx, body }) => createRecord(ctx, stageModel, newRecord(ctx, body))),
  implement(pipelineContracts.getStage, ({ ctx, params }) => requireRecord(ctx, stageModel, params.id)),
  implement(pipelineContracts.updateStage, ({ ctx, params, body, ifMatch }) => updateRecord(ctx, stageModel, params.id, (current) => ({ ...current, ...body }), { ifMatch })),
  implement(pipelineContracts.deleteStage, ({ ctx, params, ifMatch }) => deleteStage(ctx, params.id, ifMatch)),
  implement(pipelineContracts.getPipelineSettings, ({ ctx }) => getPipelineSettings(ctx)),
  implement(pipelineContracts.replacePipelineSettings, ({ ctx, body, ifMatch }) => replacePipelineSettings(ctx, body, ifMatch)),
  implement(pipelineContracts.listReasons, ({ ctx, query: { kind, active, ...page } }) =>
    queryPage<Reason>(ctx, {
      // A comma list is "is in" (SPEC §1): both kinds are every reason.
      ...(kind && new Set(kind).size === 1 ? reasons.ofKind(kind[0]!) : reasons.all()),
      ...(active === undefined ? {} : { filter: { expression: '#active = :active', names: { '#active': 'active' }, values: { ':active': active } } }),
      ...page,
    })),
  implement(pipelineContracts.createReason, ({ ctx, body }) => {
    const record = newRecord(ctx, body);
    // The description guard lets a typed-in lost reason find this reason (R-OPP-4) and keeps descriptions unique per kind.
    return createRecord(ctx, reasonModel, record, [claimReasonDescription(ctx, record)]);
  }),
  implement(pipelineContracts.getReason, ({ ctx, params }) => requireRecord(ctx, reasonModel, params.id)),
  implement(pipelineContracts.updateReason, ({ ctx, params, body, ifMatch }) =>
    updateRecord(ctx, reasonModel, params.id, (current) => ({ ...current, ...body }), {
      ifMatch,
      extra: (next, current) => moveReasonDescription(ctx, current, next),
    })),
];

export const handler = createApiHandler(pipelineRoutes);
