import type { Reason } from '../schemas/pipeline.ts';
import type { FieldError } from './errors.ts';

/** Rules for choosing a win or loss reason when closing an opportunity or a lead (R-CFG-3, R-OPP-3, R-OPP-4, R-LEAD-6). */

export type ReasonKind = Reason['kind'];

/** An existing reason picked by id, or a typed-in description that names (or creates) one. */
export interface ReasonChoice {
  reasonId?: string | undefined;
  description?: string | undefined;
}

const KIND_NAMES: Record<ReasonKind, string> = { win: 'win', loss: 'loss' };

/**
 * Why `reason` cannot be chosen for a new close as a reason of `kind`, as a field error on `path`:
 * it does not exist, it is of the other kind, or it is archived (archived reasons stay on the records that
 * already use them, R-CFG-3, but no new close may pick them).
 */
export function reasonChoiceError(reason: Reason | undefined, kind: ReasonKind, path: string): FieldError | undefined {
  if (!reason) return { path, message: 'No such reason' };
  if (reason.kind !== kind) return { path, message: `Must be a ${KIND_NAMES[kind]} reason, not a ${KIND_NAMES[reason.kind]} reason` };
  if (!reason.active) return { path, message: 'This reason is archived and cannot be chosen' };
  return undefined;
}

/** The body of a lost request (`lostReasonId` or a typed-in `lostReason`) as a reason choice. */
export const lossReasonChoice = (body: { lostReasonId?: string | undefined; lostReason?: string | undefined }): ReasonChoice => ({
  reasonId: body.lostReasonId,
  description: body.lostReason,
});

export const hasChoice = (choice: ReasonChoice): boolean => choice.reasonId !== undefined || choice.description !== undefined;

/** `requireWinReason` / `requireLossReason` (R-CFG-2): the field error naming what is missing, if anything. */
export function missingReasonError(required: boolean, chosen: boolean, path: string, kind: ReasonKind): FieldError | undefined {
  if (!required || chosen) return undefined;
  return { path, message: `A ${KIND_NAMES[kind]} reason is required` };
}

/** Ids in first-given order without repeats: naming a reason twice is naming it once. */
export const uniqueIds = (ids: readonly string[]): string[] => [...new Set(ids)];
