import type { PipelineSettings, Stage } from '../schemas/pipeline.ts';

export interface DefaultsClock {
  now: () => Date;
  newId: () => string;
}

const DEFAULT_STAGES = [
  { name: 'New', probability: 10 },
  { name: 'Qualified', probability: 30 },
  { name: 'Proposition', probability: 50 },
  { name: 'Negotiation', probability: 70 },
  { name: 'Won', probability: 100 },
  { name: 'Lost', probability: 0 },
] as const;

const ACTIVE_STAGE_COUNT = 4;

/** The pipeline a new tenant starts with (SPEC R-CFG-2). */
export function defaultPipeline(clock: DefaultsClock, timezone: string): { stages: Stage[]; settings: PipelineSettings } {
  const now = clock.now().toISOString();
  const stamp = { version: 1, createdAt: now, updatedAt: now };
  const stages: Stage[] = DEFAULT_STAGES.map((stage, index) => ({ ...stage, id: clock.newId(), order: (index + 1) * 10, ...stamp }));
  const byName = (name: string) => stages.find((stage) => stage.name === name)!.id;
  const settings: PipelineSettings = {
    id: 'pipeline',
    ...stamp,
    activeStageIds: stages.slice(0, ACTIVE_STAGE_COUNT).map((stage) => stage.id),
    defaultStageId: byName('New'),
    winStageId: byName('Won'),
    lossStageId: byName('Lost'),
    requireWinReason: false,
    requireLossReason: false,
    assignToGroupId: null,
    sharing: {
      shareContactWhenShared: true,
      shareContactWhenAssigned: true,
      unshareContactWhenUnshared: true,
      unshareContactWhenUnassigned: true,
      syncContactOwner: true,
      syncOwnerOfClosedLeads: true,
    },
    buyNow: {
      defaultExpireDays: 7,
      winReasonId: null,
      onClick: { tag: null, notifyRep: false },
      onPurchase: { tag: null, notifyRep: true },
    },
    postSale: { prefillLabelsFromTags: false },
    recap: { hour: 8, timezone, enabled: true },
  };
  return { stages, settings };
}
