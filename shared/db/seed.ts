import type { AppContext } from '../app-context.ts';
import { defaultLeadStatuses, defaultPipeline } from '../domain/defaults.ts';
import type { User } from '../schemas/users.ts';
import { leadStatusModel, settingsModel, stageModel } from './keys.ts';
import { toItem } from './records.ts';
import { getItem, writeAll } from './store.ts';
import { createUser, findUserByEmail } from './users.ts';

export interface TenantAdmin {
  email: string;
  name: string;
}

/**
 * Gives a new tenant its default pipeline and first admin; safe to run again (a tenant already seeded is left
 * as it is, an existing admin is returned).
 */
export async function seedTenant(ctx: AppContext, admin: TenantAdmin): Promise<User> {
  const settings = await getItem(ctx, settingsModel.key('pipeline'));
  if (!settings) {
    const pipeline = defaultPipeline(ctx, ctx.config.timezone);
    await writeAll(ctx, [
      ...pipeline.stages.map((stage) => ({ write: { Put: { TableName: ctx.tableName, Item: toItem(stageModel, stage) } } })),
      ...defaultLeadStatuses(ctx).map((status) => ({ write: { Put: { TableName: ctx.tableName, Item: toItem(leadStatusModel, status) } } })),
      {
        write: {
          Put: {
            TableName: ctx.tableName,
            Item: toItem(settingsModel, pipeline.settings),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
    ]);
  }
  return (await findUserByEmail(ctx, admin.email)) ?? createUser(ctx, { ...admin, role: 'admin' });
}
