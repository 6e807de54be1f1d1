import type { AppContext } from '../app-context.ts';
import type { Company } from '../schemas/contacts.ts';
import type { PipelineSettings } from '../schemas/pipeline.ts';
import { companyModel, groupModel, userModel } from './keys.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { getRecord } from './store.ts';
import type { FieldError } from '../domain/errors.ts';

/** Checks of the records a contact, company or opportunity names (R-CON-1, R-OPP-1), answered as field errors. */

/** A named record that is missing, or that the caller may not see, is reported the same way: "No such company". */
export const unknownReference = <T extends BaseRecord>(model: EntityModel<T>, path: string): FieldError => ({
  path,
  message: `No such ${model.label.toLowerCase()}`,
});

export async function ownerErrors(ctx: AppContext, ownerId: string): Promise<FieldError[]> {
  const owner = await getRecord(ctx, userModel, ownerId);
  return owner?.active ? [] : [{ path: 'ownerId', message: 'Must name an active user' }];
}

export async function companyErrors(ctx: AppContext, companyId: string, canSee: (company: Company) => boolean | Promise<boolean>): Promise<FieldError[]> {
  const company = await getRecord(ctx, companyModel, companyId);
  return company && (await canSee(company)) ? [] : [unknownReference(companyModel, 'companyId')];
}

/** R-OPP-1: the owner is an active user and, when the pipeline has an assign-to group, one of its members. */
export async function opportunityOwnerErrors(ctx: AppContext, settings: PipelineSettings, ownerId: string): Promise<FieldError[]> {
  const [activeUserErrors, group] = await Promise.all([
    ownerErrors(ctx, ownerId),
    settings.assignToGroupId ? getRecord(ctx, groupModel, settings.assignToGroupId) : undefined,
  ]);
  if (activeUserErrors.length > 0) return activeUserErrors;
  if (settings.assignToGroupId && !group?.memberIds.includes(ownerId)) return [{ path: 'ownerId', message: 'Must belong to the assign-to group' }];
  return [];
}
