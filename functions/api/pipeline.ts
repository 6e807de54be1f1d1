import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { opportunities, reasons, stages } from '../../shared/db/access-patterns.ts';
import { groupModel, opportunityModel, PIPELINE_SETTINGS_ID, reasonModel, settingsModel, stageModel } from '../../shared/db/keys.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { claimReasonDescription, moveReasonDescription } from '../../shared/db/reasons.ts';
import {
  batchGetAll,
  createRecord,
  getRecord,
  newRecord,
  partitionHasItems,
  queryPage,
  recordStillExists,
  requireRecord,
  updateRecord,
  type ExtraWrite,
} from '../../shared/db/store.ts';
import { deleteUnlessUsed } from '../../shared/db/uses.ts';
import { pipelineSettingsErrors, referencedStageIds, settingsFieldsUsingStage } from '../../shared/domain/pipeline-settings.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { booleanQuery, idParams, pageOf, pageQuery } from '../../shared/schemas/common.ts';
import {
  createReasonBody,
  createStageBody,
  pipelineSettings,
  pipelineSettingsBody,
  reason,
  REASON_KINDS,
  stage,
  updateReasonBody,
  updateStageBody,
  type PipelineSettings,
  type PipelineSettingsInput,
  type Reason,
  type Stage,
} from '../../shared/schemas/pipeline.ts';
import { conflict, throwIfInvalid } from '../../shared/domain/errors.ts';
import { ADMIN_ONLY, EVERYONE } from '../../shared/domain/principal.ts';

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

const reasonListQuery = z.strictObject({ ...pageQuery, kind: z.enum(REASON_KINDS).optional(), active: booleanQuery.optional() });

export const pipelineRoutes = [
  defineRoute({
    method: 'GET',
    path: '/stages',
    summary: 'List stages in pipeline order (ascending order, not newest first)',
    roles: EVERYONE,
    query: z.strictObject(pageQuery),
    response: pageOf(stage),
    handler: ({ ctx, query }) => queryPage<Stage>(ctx, { ...stages.inOrder(), ascending: true, ...query }),
  }),
  defineRoute({
    method: 'POST',
    path: '/stages',
    summary: 'Create a stage',
    roles: ADMIN_ONLY,
    body: createStageBody,
    response: stage,
    successStatus: 201,
    handler: ({ ctx, body }) => createRecord(ctx, stageModel, newRecord(ctx, body)),
  }),
  defineRoute({
    method: 'GET',
    path: '/stages/{id}',
    summary: 'Read a stage',
    roles: EVERYONE,
    params: idParams,
    response: stage,
    handler: ({ ctx, params }) => requireRecord(ctx, stageModel, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/stages/{id}',
    summary: 'Change a stage (name, order, probability)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateStageBody,
    response: stage,
    handler: ({ ctx, params, body, ifMatch }) => updateRecord(ctx, stageModel, params.id, (current) => ({ ...current, ...body }), { ifMatch }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/stages/{id}',
    summary: 'Delete a stage no opportunity and no setting uses (409 stage_in_use otherwise)',
    roles: ADMIN_ONLY,
    params: idParams,
    successStatus: 204,
    handler: ({ ctx, params, ifMatch }) => deleteStage(ctx, params.id, ifMatch),
  }),
  defineRoute({
    method: 'GET',
    path: '/settings/pipeline',
    summary: 'Read the pipeline settings',
    roles: EVERYONE,
    response: pipelineSettings,
    handler: ({ ctx }) => getPipelineSettings(ctx),
  }),
  defineRoute({
    method: 'PUT',
    path: '/settings/pipeline',
    summary: 'Replace the pipeline settings (validated as a whole; every id must exist)',
    roles: ADMIN_ONLY,
    body: pipelineSettingsBody,
    response: pipelineSettings,
    handler: ({ ctx, body, ifMatch }) => replacePipelineSettings(ctx, body, ifMatch),
  }),
  defineRoute({
    method: 'GET',
    path: '/reasons',
    summary: 'List win/loss reasons (all of them unless filtered by kind or active)',
    roles: EVERYONE,
    query: reasonListQuery,
    response: pageOf(reason),
    handler: ({ ctx, query: { kind, active, ...page } }) =>
      queryPage<Reason>(ctx, {
        ...(kind ? reasons.ofKind(kind) : reasons.all()),
        ...(active === undefined ? {} : { filter: { expression: '#active = :active', names: { '#active': 'active' }, values: { ':active': active } } }),
        ...page,
      }),
  }),
  defineRoute({
    method: 'POST',
    path: '/reasons',
    summary: 'Create a win or loss reason (409 duplicate_reason when its kind has one with the same description, any case)',
    roles: ADMIN_ONLY,
    body: createReasonBody,
    response: reason,
    successStatus: 201,
    handler: ({ ctx, body }) => {
      const record = newRecord(ctx, body);
      // The description guard lets a typed-in lost reason find this reason (R-OPP-4) and keeps descriptions unique per kind.
      return createRecord(ctx, reasonModel, record, [claimReasonDescription(ctx, record)]);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/reasons/{id}',
    summary: 'Read a reason (archived ones too)',
    roles: EVERYONE,
    params: idParams,
    response: reason,
    handler: ({ ctx, params }) => requireRecord(ctx, reasonModel, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/reasons/{id}',
    summary: 'Change a reason (description, unique per kind; active=false archives it)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateReasonBody,
    response: reason,
    handler: ({ ctx, params, body, ifMatch }) =>
      updateRecord(ctx, reasonModel, params.id, (current) => ({ ...current, ...body }), {
        ifMatch,
        extra: (next, current) => moveReasonDescription(ctx, current, next),
      }),
  }),
];

export const handler = createApiHandler(pipelineRoutes);
