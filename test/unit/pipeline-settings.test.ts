import { describe, expect, it } from 'vitest';
import { defaultPipeline } from '../../shared/domain/defaults.ts';
import { pipelineSettingsErrors, referencedStageIds, settingsFieldsUsingStage, type ExistingReferences } from '../../shared/domain/pipeline-settings.ts';
import type { PipelineSettingsInput } from '../../shared/schemas/pipeline.ts';

let counter = 0;
const clock = { now: () => new Date('2026-01-01T00:00:00Z'), newId: () => `01J00000000000000000000${String(++counter).padStart(3, '0')}` };

function defaults(): { input: PipelineSettingsInput; existing: ExistingReferences; stageIds: string[] } {
  const { stages, settings } = defaultPipeline(clock, 'UTC');
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...input } = settings;
  const stageIds = stages.map((stage) => stage.id);
  return {
    input,
    stageIds,
    existing: {
      stageIds: new Set(stageIds),
      groupIds: new Set(['GROUP1']),
      reasonKinds: new Map([
        ['WINREASON', 'win'],
        ['LOSSREASON', 'loss'],
      ]),
    },
  };
}

describe('R-CFG-2 pipelineSettingsErrors', () => {
  it('R-CFG-2 the default settings name only existing records', () => {
    const { input, existing } = defaults();

    expect(pipelineSettingsErrors(input, existing)).toEqual([]);
  });

  it('R-CFG-2 lists every unknown stage, group and reason by its path', () => {
    const { input, existing } = defaults();
    const settings: PipelineSettingsInput = {
      ...input,
      activeStageIds: [input.activeStageIds[0]!, 'NOSTAGE1'],
      defaultStageId: 'NOSTAGE2',
      winStageId: 'NOSTAGE3',
      lossStageId: null,
      assignToGroupId: 'NOGROUP',
      buyNow: { ...input.buyNow, winReasonId: 'NOREASON' },
    };

    const errors = pipelineSettingsErrors(settings, existing);

    expect(errors).toEqual([
      { path: 'activeStageIds.1', message: 'Unknown stage' },
      { path: 'defaultStageId', message: 'Unknown stage' },
      { path: 'winStageId', message: 'Unknown stage' },
      { path: 'assignToGroupId', message: 'Unknown group' },
      { path: 'buyNow.winReasonId', message: 'Unknown reason' },
    ]);
  });

  it('R-CFG-2 new deals start in neither the win nor the loss stage, and the two differ', () => {
    const { input, existing } = defaults();

    const startsWon = pipelineSettingsErrors({ ...input, defaultStageId: input.winStageId! }, existing);
    const startsLost = pipelineSettingsErrors({ ...input, defaultStageId: input.lossStageId! }, existing);
    const sameClose = pipelineSettingsErrors({ ...input, lossStageId: input.winStageId }, existing);
    const noLossStage = pipelineSettingsErrors({ ...input, lossStageId: null, winStageId: null }, existing);

    expect(startsWon).toEqual([{ path: 'defaultStageId', message: 'New deals cannot start in the win or loss stage' }]);
    expect(startsLost).toEqual([{ path: 'defaultStageId', message: 'New deals cannot start in the win or loss stage' }]);
    expect(sameClose).toEqual([{ path: 'lossStageId', message: 'Must differ from winStageId' }]);
    expect(noLossStage).toEqual([]);
  });

  it('R-CFG-2 a stage listed twice among the active stages is reported at its second position', () => {
    const { input, existing } = defaults();
    const [first, second] = input.activeStageIds;

    const errors = pipelineSettingsErrors({ ...input, activeStageIds: [first!, second!, first!] }, existing);

    expect(errors).toEqual([{ path: 'activeStageIds.2', message: 'Stage listed twice' }]);
  });

  it('R-CFG-2 the buy-now win reason must be a win reason, not a loss reason', () => {
    const { input, existing } = defaults();

    const errors = pipelineSettingsErrors({ ...input, buyNow: { ...input.buyNow, winReasonId: 'LOSSREASON' } }, existing);

    expect(errors).toEqual([{ path: 'buyNow.winReasonId', message: 'Must be a win reason' }]);
  });

  it('R-CFG-2 null win stage, loss stage, group and reason are accepted', () => {
    const { input, existing } = defaults();
    const settings = { ...input, winStageId: null, lossStageId: null, assignToGroupId: null, buyNow: { ...input.buyNow, winReasonId: null } };

    expect(pipelineSettingsErrors(settings, existing)).toEqual([]);
  });
});

describe('R-CFG-1 stages named by the settings', () => {
  it('R-CFG-1 referencedStageIds names each stage once, nulls left out', () => {
    const { input, stageIds } = defaults();

    const referenced = referencedStageIds({ ...input, defaultStageId: stageIds[0]!, lossStageId: null });

    expect(referenced).toEqual([...stageIds.slice(0, 4), stageIds[4]]);
  });

  it('R-CFG-1 settingsFieldsUsingStage lists every field naming the stage, and none for an unused one', () => {
    const { input, stageIds } = defaults();

    expect(settingsFieldsUsingStage(input, stageIds[0]!)).toEqual(['activeStageIds', 'defaultStageId']);
    expect(settingsFieldsUsingStage(input, stageIds[5]!)).toEqual(['lossStageId']);
    expect(settingsFieldsUsingStage({ ...input, lossStageId: null }, stageIds[5]!)).toEqual([]);
  });
});
