import type { AppContext } from '../app-context.ts';
import type { CustomFieldDefinition, CustomFieldEntity } from '../schemas/custom-fields.ts';
import type { PipelineSettings } from '../schemas/pipeline.ts';
import { withSettingsDefaults } from '../domain/defaults.ts';
import { customFields } from './access-patterns.ts';
import { PIPELINE_SETTINGS_ID, settingsModel } from './keys.ts';
import { queryPage, requireRecord } from './store.ts';

/** The tenant's pipeline settings (seeded with the tenant, so always present). */
export const getPipelineSettings = async (ctx: AppContext): Promise<PipelineSettings> =>
  withSettingsDefaults(await requireRecord(ctx, settingsModel, PIPELINE_SETTINGS_ID));

/** All custom field definitions of one entity: a few dozen at most, so one page holds them. */
export async function customFieldDefinitions(ctx: AppContext, entity: CustomFieldEntity): Promise<CustomFieldDefinition[]> {
  const definitions: CustomFieldDefinition[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<CustomFieldDefinition>(ctx, { ...customFields.of(entity), limit: 100, cursor });
    definitions.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return definitions;
}
