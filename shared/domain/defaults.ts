import type { LeadStatus } from '../schemas/leads.ts';
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
      confirmation: 'client',
      onClick: { tag: null, notifyRep: false },
      onPurchase: { tag: null, notifyRep: true },
    },
    postSale: { prefillLabelsFromTags: false },
    recap: { hour: 8, timezone, enabled: true },
  };
  return { stages, settings };
}

/**
 * R-LEAD-1 the lead statuses a new tenant starts with. The spec fixes names and types; the expiry days of the
 * open ones are our choice, so the morning recap is useful from the first day (an admin tunes them).
 */
const DEFAULT_LEAD_STATUSES = [
  { name: 'Not engaged', type: 'frozen', expiryDays: 0 },
  { name: 'Open', type: 'open', expiryDays: 2, isDefault: true },
  { name: 'Attempting contact', type: 'open', expiryDays: 3 },
  { name: 'Working', type: 'open', expiryDays: 7 },
  { name: 'Qualified', type: 'qualified', expiryDays: 0 },
  { name: 'Junk', type: 'not_interested', expiryDays: 0 },
  { name: 'Ignored', type: 'abandoned', expiryDays: 0 },
] as const;

export function defaultLeadStatuses(clock: DefaultsClock): LeadStatus[] {
  const now = clock.now().toISOString();
  return DEFAULT_LEAD_STATUSES.map((status, index) => ({
    id: clock.newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    name: status.name,
    type: status.type,
    order: (index + 1) * 10,
    active: true,
    expiryDays: status.expiryDays,
    isDefault: 'isDefault' in status,
  }));
}

/**
 * Stored settings as the current schema reads them: a field added since they were written gets its default
 * (`buyNow.confirmation`: `client`, R-CFG-2).
 */
export function withSettingsDefaults(stored: PipelineSettings): PipelineSettings {
  return { ...stored, buyNow: { ...stored.buyNow, confirmation: stored.buyNow?.confirmation ?? 'client' } };
}
