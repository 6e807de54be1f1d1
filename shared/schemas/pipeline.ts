import * as z from 'zod';
import { id, recordFields, singleLine } from './common.ts';
import { timezone } from './users.ts';

export const stage = z
  .object({ ...recordFields, name: z.string(), order: z.int(), probability: z.int() })
  .meta({ id: 'Stage' });
export type Stage = z.infer<typeof stage>;

const stageFields = {
  name: singleLine(100),
  order: z.int().min(0).max(9999),
  probability: z.int().min(0).max(100),
};
export const createStageBody = z.strictObject(stageFields).meta({ id: 'CreateStage' });
export const updateStageBody = z.strictObject(stageFields).partial().meta({ id: 'UpdateStage' });

export const REASON_KINDS = ['win', 'loss'] as const;
export const reason = z
  .object({ ...recordFields, kind: z.enum(REASON_KINDS), description: z.string(), active: z.boolean() })
  .meta({ id: 'Reason' });
export type Reason = z.infer<typeof reason>;
export const createReasonBody = z
  .strictObject({
    kind: z.enum(REASON_KINDS),
    description: singleLine(200),
    active: z.boolean().default(true),
  })
  .meta({ id: 'CreateReason' });
export const updateReasonBody = z
  .strictObject({ description: singleLine(200).optional(), active: z.boolean().optional() })
  .meta({ id: 'UpdateReason' });

/**
 * Bounded so that replacing the settings, with one existence check per stage it names, fits in one
 * DynamoDB transaction (100 items).
 */
const MAX_ACTIVE_STAGES = 50;

/** R-BUY-3: who confirms a buy-now purchase: the buyer's page (`client`) or the payment provider's webhook (`stripe`). */
export const BUY_NOW_CONFIRMATIONS = ['client', 'stripe'] as const;

const notify = z.strictObject({ tag: z.string().trim().min(1).max(50).nullable(), notifyRep: z.boolean() });

export const pipelineSettingsBody = z
  .strictObject({
    activeStageIds: z.array(id).max(MAX_ACTIVE_STAGES),
    defaultStageId: id,
    winStageId: id.nullable(),
    lossStageId: id.nullable(),
    requireWinReason: z.boolean(),
    requireLossReason: z.boolean(),
    assignToGroupId: id.nullable(),
    sharing: z.strictObject({
      shareContactWhenShared: z.boolean(),
      shareContactWhenAssigned: z.boolean(),
      unshareContactWhenUnshared: z.boolean(),
      unshareContactWhenUnassigned: z.boolean(),
      syncContactOwner: z.boolean(),
      syncOwnerOfClosedLeads: z.boolean(),
    }),
    buyNow: z.strictObject({
      defaultExpireDays: z.int().min(1).max(365),
      winReasonId: id.nullable(),
      // Settings stored (or PUT) before this field existed read as `client` (the default of R-CFG-2).
      confirmation: z.enum(BUY_NOW_CONFIRMATIONS).default('client'),
      onClick: notify,
      onPurchase: notify,
    }),
    postSale: z.strictObject({ prefillLabelsFromTags: z.boolean() }),
    recap: z.strictObject({ hour: z.int().min(0).max(23), timezone, enabled: z.boolean() }),
  })
  .meta({ id: 'PipelineSettingsInput' });
export type PipelineSettingsInput = z.infer<typeof pipelineSettingsBody>;

const { id: _settingsHaveNoId, ...settingsStamp } = recordFields;
export const pipelineSettings = z
  .object({ ...pipelineSettingsBody.shape, ...settingsStamp })
  .meta({ id: 'PipelineSettings' });
/** Stored with the fixed id `pipeline` (a singleton record); the API does not show it. */
export type PipelineSettings = z.infer<typeof pipelineSettings> & { id: string };
