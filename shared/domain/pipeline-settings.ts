import type { PipelineSettingsInput, Reason } from '../schemas/pipeline.ts';
import type { FieldError } from './errors.ts';

/** The records a settings document may name, as found in the table. */
export interface ExistingReferences {
  stageIds: ReadonlySet<string>;
  groupIds: ReadonlySet<string>;
  reasonKinds: ReadonlyMap<string, Reason['kind']>;
}

type StageReferences = Pick<PipelineSettingsInput, 'activeStageIds' | 'defaultStageId' | 'winStageId' | 'lossStageId'>;

const SINGLE_STAGE_FIELDS = ['defaultStageId', 'winStageId', 'lossStageId'] as const;

/** Every stage id the settings name, once each. */
export function referencedStageIds(settings: StageReferences): string[] {
  const single = SINGLE_STAGE_FIELDS.map((field) => settings[field]).filter((stageId) => stageId !== null);
  return [...new Set([...settings.activeStageIds, ...single])];
}

/** The settings fields naming a stage: a stage they name is in use and cannot be deleted (R-CFG-1). */
export function settingsFieldsUsingStage(settings: StageReferences, stageId: string): string[] {
  const fields = settings.activeStageIds.includes(stageId) ? ['activeStageIds'] : [];
  return [...fields, ...SINGLE_STAGE_FIELDS.filter((field) => settings[field] === stageId)];
}

/**
 * R-CFG-2: a settings document is accepted as a whole or not at all; every id it names must exist (the buy-now
 * win reason must be a win reason), no active stage is listed twice, the win and loss stages differ, and new deals
 * start in neither. Returns every offending path.
 */
export function pipelineSettingsErrors(settings: PipelineSettingsInput, existing: ExistingReferences): FieldError[] {
  const errors: FieldError[] = [];
  const listed = new Set<string>();
  settings.activeStageIds.forEach((stageId, index) => {
    const path = `activeStageIds.${index}`;
    if (listed.has(stageId)) errors.push({ path, message: 'Stage listed twice' });
    else if (!existing.stageIds.has(stageId)) errors.push({ path, message: 'Unknown stage' });
    listed.add(stageId);
  });
  for (const field of SINGLE_STAGE_FIELDS) {
    const stageId = settings[field];
    if (stageId !== null && !existing.stageIds.has(stageId)) errors.push({ path: field, message: 'Unknown stage' });
  }
  // A deal that starts in the win or loss stage would be open in a closed column, at its 100% or 0%.
  if (settings.defaultStageId === settings.winStageId || settings.defaultStageId === settings.lossStageId) {
    errors.push({ path: 'defaultStageId', message: 'New deals cannot start in the win or loss stage' });
  }
  if (settings.winStageId !== null && settings.winStageId === settings.lossStageId) {
    errors.push({ path: 'lossStageId', message: 'Must differ from winStageId' });
  }
  if (settings.assignToGroupId !== null && !existing.groupIds.has(settings.assignToGroupId)) {
    errors.push({ path: 'assignToGroupId', message: 'Unknown group' });
  }
  const winReasonId = settings.buyNow.winReasonId;
  if (winReasonId !== null) {
    const kind = existing.reasonKinds.get(winReasonId);
    if (kind === undefined) errors.push({ path: 'buyNow.winReasonId', message: 'Unknown reason' });
    else if (kind !== 'win') errors.push({ path: 'buyNow.winReasonId', message: 'Must be a win reason' });
  }
  return errors;
}
