import type { AnyContract } from '../http/contract.ts';
import { buyNowContracts, buyNowWebhookContracts } from './buy-now.ts';
import { calendarContracts } from './calendar.ts';
import { contactContracts } from './contacts.ts';
import { customFieldContracts } from './custom-fields.ts';
import { groupContracts } from './groups.ts';
import { leadContracts } from './leads.ts';
import { openApiContracts } from './openapi.ts';
import { opportunityContracts } from './opportunities.ts';
import { opportunityLifecycleContracts } from './opportunity-lifecycle.ts';
import { opportunityShareContracts } from './opportunity-shares.ts';
import { pipelineContracts } from './pipeline.ts';
import { postSaleContracts } from './post-sale.ts';
import { userContracts } from './users.ts';

/**
 * Every route of the API, declared once (no handler code), grouped by the Lambda function that serves it
 * (`functions/api/<group>.ts`). The CDK stack, the local server, `GET /openapi.json`, the contract tests and the
 * typed test client read these.
 */
export const contractGroups = {
  users: userContracts,
  contacts: contactContracts,
  pipeline: pipelineContracts,
  'custom-fields': customFieldContracts,
  groups: groupContracts,
  opportunities: opportunityContracts,
  leads: leadContracts,
  'opportunity-lifecycle': opportunityLifecycleContracts,
  'opportunity-shares': opportunityShareContracts,
  'post-sale': postSaleContracts,
  calendar: calendarContracts,
  openapi: openApiContracts,
  'buy-now': buyNowContracts,
  'buy-now-webhook': buyNowWebhookContracts,
};

export type GroupName = keyof typeof contractGroups;

/** Every contract by its operationId (they are unique: the OpenAPI lint checks it). */
export const contracts = {
  ...userContracts,
  ...contactContracts,
  ...pipelineContracts,
  ...customFieldContracts,
  ...groupContracts,
  ...opportunityContracts,
  ...leadContracts,
  ...opportunityLifecycleContracts,
  ...opportunityShareContracts,
  ...postSaleContracts,
  ...calendarContracts,
  ...openApiContracts,
  ...buyNowContracts,
  ...buyNowWebhookContracts,
};

export const contractsOf = (group: GroupName): AnyContract[] => Object.values(contractGroups[group]);

export const allContracts: readonly AnyContract[] = (Object.keys(contractGroups) as GroupName[]).flatMap(contractsOf);
