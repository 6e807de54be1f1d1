import type { GroupName } from '../../shared/contracts/index.ts';
import type { Route } from '../../shared/http/route.ts';
import { buyNowRoutes } from './buy-now.ts';
import { buyNowWebhookRoutes } from './buy-now-webhook.ts';
import { calendarRoutes } from './calendar.ts';
import { contactRoutes } from './contacts.ts';
import { customFieldRoutes } from './custom-fields.ts';
import { groupRoutes } from './groups.ts';
import { leadGroupRoutes } from './leads.ts';
import { openApiRoutes } from './openapi.ts';
import { opportunityRoutes } from './opportunities.ts';
import { opportunityLifecycleRoutes } from './opportunity-lifecycle.ts';
import { opportunityShareRoutes } from './opportunity-shares.ts';
import { pipelineRoutes } from './pipeline.ts';
import { postSaleRoutes } from './post-sale.ts';
import { userRoutes } from './users.ts';

/**
 * The code behind each route group's contracts, for whoever runs every group in one process (the local server).
 * A deployed function loads only its own group's file.
 */
export const routeImplementations: Record<GroupName, readonly Route[]> = {
  users: userRoutes,
  contacts: contactRoutes,
  pipeline: pipelineRoutes,
  'custom-fields': customFieldRoutes,
  groups: groupRoutes,
  opportunities: opportunityRoutes,
  leads: leadGroupRoutes,
  'opportunity-lifecycle': opportunityLifecycleRoutes,
  'opportunity-shares': opportunityShareRoutes,
  'post-sale': postSaleRoutes,
  calendar: calendarRoutes,
  openapi: openApiRoutes,
  'buy-now': buyNowRoutes,
  'buy-now-webhook': buyNowWebhookRoutes,
};
