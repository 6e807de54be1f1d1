import type { AppContext } from '../app-context.ts';
import { reasonChoiceError, uniqueIds, type ReasonChoice, type ReasonKind } from '../domain/reasons.ts';
import type { Reason } from '../schemas/pipeline.ts';
import { reasonDescriptionKey, reasonModel } from './keys.ts';
import { toItem } from './records.ts';
import { getItem, getRecord, newRecord, type ExtraWrite } from './store.ts';
import { conflict, type FieldError, validationFailed } from '../domain/errors.ts';

/**
 * Win and loss reasons as chosen when something is closed (R-OPP-3, R-OPP-4, R-LEAD-6): independent of what is
 * closed, so opportunities and leads resolve reasons the same way. The writes returned go into the caller's
 * transaction: they create a typed-in reason, or make sure a chosen one is still active when the close commits.
 */

export interface ResolvedReason {
  reason: Reason;
  /** Writes to commit with the close (the new reason and its description guard, or a check that the reason is still active). */
  writes: ExtraWrite[];
}

/** Where field errors about each part of a choice are reported (e.g. `lostReasonId` / `lostReason`). */
export interface ReasonChoicePaths {
  reasonId: string;
  description: string;
}

const DEFAULT_PATHS: ReasonChoicePaths = { reasonId: 'reasonId', description: 'description' };

/** Answer of a close that lost a race against a concurrent creation of the same reason: the caller retries from its reads. */
export const reasonCreatedMeanwhile = () => conflict('concurrent_update', 'A reason with this description was created meanwhile; retry');

/** The guard item making a reason's description unique within its kind (case-insensitive). */
const descriptionGuard = (ctx: AppContext, reason: Reason) => ({
  TableName: ctx.tableName,
  Item: { ...reasonDescriptionKey(reason.kind, reason.description), reasonId: reason.id },
});

const duplicateReason = (reason: Pick<Reason, 'kind' | 'description'>) =>
  conflict('duplicate_reason', `A ${reason.kind} reason described "${reason.description}" already exists`);

/** Claims a new reason's description (POST /reasons, and typed-in reasons): 409 `duplicate_reason` when taken. */
export function claimReasonDescription(ctx: AppContext, reason: Reason): ExtraWrite {
  return {
    write: { Put: { ...descriptionGuard(ctx, reason), ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: duplicateReason(reason),
  };
}

/**
 * Moves the description guard when a reason is renamed (PATCH /reasons/{id}). A change of case or spacing
 * only keeps the same guard. The old guard is released only if it is this reason's.
 */
export function moveReasonDescription(ctx: AppContext, before: Reason, after: Reason): ExtraWrite[] {
  const from = reasonDescriptionKey(before.kind, before.description);
  const to = reasonDescriptionKey(after.kind, after.description);
  if (from.PK === to.PK) return [];
  return [
    {
      write: {
        Delete: {
          TableName: ctx.tableName,
          Key: from,
          ConditionExpression: 'attribute_not_exists(PK) OR reasonId = :reasonId',
          ExpressionAttributeValues: { ':reasonId': before.id },
        },
      },
      onConditionFailed: conflict('concurrent_update', 'The reason descriptions changed meanwhile; retry'),
    },
    claimReasonDescription(ctx, after),
  ];
}

/** Commits a close only if the chosen reason was not archived in the meantime. */
function stillActive(ctx: AppContext, reason: Reason, path: string): ExtraWrite {
  return {
    write: {
      ConditionCheck: {
        TableName: ctx.tableName,
        Key: reasonModel.key(reason.id),
        ConditionExpression: 'active = :active',
        ExpressionAttributeValues: { ':active': true },
      },
    },
    onConditionFailed: validationFailed([{ path, message: 'This reason is archived and cannot be chosen' }]),
  };
}

/** The reason whose description (case-insensitively, within the kind) is `description`, if any. */
export async function findReasonByDescription(ctx: AppContext, kind: ReasonKind, description: string): Promise<Reason | undefined> {
  const guard = await getItem(ctx, reasonDescriptionKey(kind, description));
  return guard ? getRecord(ctx, reasonModel, guard.reasonId as string) : undefined;
}

/**
 * Resolves one reason choice, answering problems as field errors (for handlers that collect every error of a
 * request): an id must name an active reason of the kind; a description reuses the reason of the kind with
 * that description, or creates it. Exactly one of `reasonId` and `description` must be given.
 */
export async function resolveReasonChoice(
  ctx: AppContext,
  kind: ReasonKind,
  choice: ReasonChoice,
  paths: ReasonChoicePaths = DEFAULT_PATHS,
): Promise<{ resolved: ResolvedReason; errors: [] } | { resolved: undefined; errors: FieldError[] }> {
  const invalid = (error: FieldError) => ({ resolved: undefined, errors: [error] });
  if (choice.reasonId !== undefined && choice.description !== undefined) {
    return invalid({ path: paths.description, message: `Give ${paths.reasonId} or ${paths.description}, not both` });
  }
  if (choice.reasonId === undefined && choice.description === undefined) {
    return invalid({ path: paths.reasonId, message: `Give ${paths.reasonId} or ${paths.description}` });
  }
  const path = choice.reasonId !== undefined ? paths.reasonId : paths.description;
  const existing = choice.reasonId !== undefined ? await getRecord(ctx, reasonModel, choice.reasonId) : await findReasonByDescription(ctx, kind, choice.description!);
  if (existing || choice.reasonId !== undefined) {
    const error = reasonChoiceError(existing, kind, path);
    if (error) return invalid(error);
    return { resolved: { reason: existing!, writes: [stillActive(ctx, existing!, path)] }, errors: [] };
  }
  const created = newRecord(ctx, { kind, description: choice.description!.trim(), active: true });
  return {
    resolved: {
      reason: created,
      writes: [
        {
          write: { Put: { TableName: ctx.tableName, Item: toItem(reasonModel, created), ConditionExpression: 'attribute_not_exists(PK)' } },
          onConditionFailed: reasonCreatedMeanwhile(),
        },
        { ...claimReasonDescription(ctx, created), onConditionFailed: reasonCreatedMeanwhile() },
      ],
    },
    errors: [],
  };
}

/** Like `resolveReasonChoice`, but a problem is thrown as a 400 listing it. */
export async function resolveReason(ctx: AppContext, kind: ReasonKind, choice: ReasonChoice, paths: ReasonChoicePaths = DEFAULT_PATHS): Promise<ResolvedReason> {
  const { resolved, errors } = await resolveReasonChoice(ctx, kind, choice, paths);
  if (!resolved) throw validationFailed(errors);
  return resolved;
}

/**
 * Several reasons chosen by id (e.g. `winReasonIds`): each must name an active reason of the kind; errors are
 * reported per position (`winReasonIds.1`). Repeated ids count once.
 */
export async function resolveReasonIds(
  ctx: AppContext,
  kind: ReasonKind,
  reasonIds: readonly string[],
  path: string,
): Promise<{ reasons: Reason[]; writes: ExtraWrite[]; errors: FieldError[] }> {
  const ids = uniqueIds(reasonIds);
  const found = await Promise.all(ids.map((reasonId) => getRecord(ctx, reasonModel, reasonId)));
  const result = { reasons: [] as Reason[], writes: [] as ExtraWrite[], errors: [] as FieldError[] };
  found.forEach((reason, index) => {
    const at = `${path}.${reasonIds.indexOf(ids[index]!)}`;
    const error = reasonChoiceError(reason, kind, at);
    if (error) {
      result.errors.push(error);
      return;
    }
    result.reasons.push(reason!);
    result.writes.push(stillActive(ctx, reason!, at));
  });
  return result;
}
