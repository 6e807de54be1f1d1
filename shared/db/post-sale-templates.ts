import type { AppContext } from '../app-context.ts';
import { validationFailed, type FieldError } from '../domain/errors.ts';
import { changedTemplate, newTemplateFields, templateAssignees } from '../domain/post-sale.ts';
import type { CreateTemplateInput, PostSaleTemplate, TemplateChange } from '../schemas/post-sale.ts';
import { postSaleTemplates } from './access-patterns.ts';
import { defaultTemplateKey, postSaleTemplateModel } from './keys.ts';
import {
  changesNothing,
  getItem,
  getRecord,
  lostRace,
  newRecord,
  nextVersion,
  queryPage,
  readForChange,
  recordWrite,
  requireRecord,
  retryOnRace,
  writeAll,
  type ExtraWrite,
  type Page,
} from './store.ts';
import { unknownUserIds } from './users.ts';

/**
 * R-PS-1 post-sale templates (the routes allow admin and manager to change them). One default at a time: a pointer
 * item (`defaultTemplateKey`) names it; making a template the default rewrites the pointer and clears the previous
 * default's flag in the same transaction, each conditioned on the version read, so two concurrent switches cannot
 * both win and the flag and the pointer always agree.
 */

interface DefaultPointer {
  templateId: string;
  version: number;
}

const raced = lostRace('The default post-sale template');

async function readPointer(ctx: AppContext): Promise<DefaultPointer | undefined> {
  const item = await getItem(ctx, defaultTemplateKey(), { consistent: true });
  return item ? { templateId: item.templateId as string, version: item.version as number } : undefined;
}

/** The pointer naming `templateId` (null: no default), written only if nobody changed it since `read`. */
function pointerWrite(ctx: AppContext, read: DefaultPointer | undefined, templateId: string | null): ExtraWrite {
  const condition = read
    ? { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': read.version } }
    : { ConditionExpression: 'attribute_not_exists(PK)' };
  if (templateId === null) {
    if (!read) throw new Error('No default template to unset');
    return { write: { Delete: { TableName: ctx.tableName, Key: defaultTemplateKey(), ...condition } }, onConditionFailed: raced };
  }
  const item = { ...defaultTemplateKey(), recordType: 'Default post-sale template', templateId, version: (read?.version ?? 0) + 1 };
  return { write: { Put: { TableName: ctx.tableName, Item: item, ...condition } }, onConditionFailed: raced };
}

/** The writes that make `templateId` the default: the pointer, and the previous default's flag cleared (version-conditioned). */
async function becomeDefault(ctx: AppContext, templateId: string): Promise<ExtraWrite[]> {
  const pointer = await readPointer(ctx);
  const writes = [pointerWrite(ctx, pointer, templateId)];
  if (pointer && pointer.templateId !== templateId) {
    const previous = await getRecord(ctx, postSaleTemplateModel, pointer.templateId);
    if (previous?.isDefault) {
      const cleared = nextVersion(previous, { ...previous, isDefault: false }, ctx.now().toISOString());
      writes.push(recordWrite(ctx, postSaleTemplateModel, { before: previous, after: cleared, stale: raced }));
    }
  }
  return writes;
}

/** The writes that make `templateId` stop being the default (the pointer goes, if it still names it). */
async function stopBeingDefault(ctx: AppContext, templateId: string): Promise<ExtraWrite[]> {
  const pointer = await readPointer(ctx);
  return pointer?.templateId === templateId ? [pointerWrite(ctx, pointer, null)] : [];
}

/** R-PS-1: the users a template's tasks name must be active; each one that does not is a field error `tasks.N.assigneeId`. */
export async function templateAssigneeErrors(ctx: AppContext, tasks: CreateTemplateInput['tasks']): Promise<FieldError[]> {
  const assignees = templateAssignees(tasks);
  if (assignees.length === 0) return [];
  const unknown = new Set(await unknownUserIds(ctx, assignees.map((assignee) => assignee.userId), { activeOnly: true }));
  return assignees.filter((assignee) => unknown.has(assignee.userId)).map((assignee) => ({ path: assignee.path, message: 'Must name an active user' }));
}

async function checkAssignees(ctx: AppContext, tasks: CreateTemplateInput['tasks']): Promise<void> {
  const errors = await templateAssigneeErrors(ctx, tasks);
  if (errors.length > 0) throw validationFailed(errors);
}

/** POST /post-sale-templates: a new template; `isDefault: true` makes it the one default (the previous one stops being it). */
export async function createTemplate(ctx: AppContext, input: CreateTemplateInput): Promise<PostSaleTemplate> {
  await checkAssignees(ctx, input.tasks);
  const template = newRecord(ctx, newTemplateFields(input));
  return retryOnRace(async () => {
    const extra = template.isDefault ? await becomeDefault(ctx, template.id) : [];
    await writeAll(ctx, [recordWrite(ctx, postSaleTemplateModel, { after: template }), ...extra]);
    return template;
  });
}

export interface TemplateWriteOptions {
  /** The If-Match the client sent: a template changed since is a 412. */
  ifMatch?: number | undefined;
}

/** PATCH /post-sale-templates/{id}. */
export async function updateTemplate(ctx: AppContext, id: string, change: TemplateChange, options: TemplateWriteOptions = {}): Promise<PostSaleTemplate> {
  if (change.tasks !== undefined) await checkAssignees(ctx, change.tasks);
  return retryOnRace(async () => {
    const current = await readForChange(ctx, postSaleTemplateModel, id, options);
    const changed = changedTemplate(current, change);
    if (changesNothing(current, changed)) return current;
    const next = nextVersion(current, changed, ctx.now().toISOString());
    const extra = next.isDefault && !current.isDefault ? await becomeDefault(ctx, id) : !next.isDefault && current.isDefault ? await stopBeingDefault(ctx, id) : [];
    await writeAll(ctx, [recordWrite(ctx, postSaleTemplateModel, { before: current, after: next, ifMatch: options.ifMatch, stale: raced }), ...extra]);
    return next;
  });
}

/** DELETE /post-sale-templates/{id}: processes made from it keep their tasks (and its id, for the record). */
export async function deleteTemplate(ctx: AppContext, id: string, options: TemplateWriteOptions = {}): Promise<void> {
  await retryOnRace(async () => {
    const current = await readForChange(ctx, postSaleTemplateModel, id, options);
    const extra = current.isDefault ? await stopBeingDefault(ctx, id) : [];
    await writeAll(ctx, [recordWrite(ctx, postSaleTemplateModel, { before: current, ifMatch: options.ifMatch, stale: raced }), ...extra]);
  });
}

/** GET /post-sale-templates/{id} (404 when absent). */
export const getTemplate = (ctx: AppContext, id: string): Promise<PostSaleTemplate> => requireRecord(ctx, postSaleTemplateModel, id);

/** A template by id, or undefined. */
export const findTemplate = (ctx: AppContext, id: string): Promise<PostSaleTemplate | undefined> => getRecord(ctx, postSaleTemplateModel, id);

/** GET /post-sale-templates: oldest first (a short list an admin arranges), signed cursors. */
export const listTemplates = (ctx: AppContext, page: { limit: number; cursor?: string | undefined }): Promise<Page<PostSaleTemplate>> =>
  queryPage<PostSaleTemplate>(ctx, { ...postSaleTemplates.all(), limit: page.limit, cursor: page.cursor, ascending: true });

/** R-PS-2: the default template, if there is one (the pointer, read strongly consistent, then the template). */
export async function defaultTemplate(ctx: AppContext): Promise<PostSaleTemplate | undefined> {
  const pointer = await readPointer(ctx);
  return pointer ? getRecord(ctx, postSaleTemplateModel, pointer.templateId) : undefined;
}
