import type { Consumer } from '../../shared/events/consumer.ts';
import { sharingRules } from './sharing-rules.ts';
import { contactStatuses } from './contact-statuses.ts';
import { opportunityCleanup } from './opportunity-cleanup.ts';
import { postSaleSpawn } from './post-sale-spawn.ts';
import { postSaleSync } from './post-sale-sync.ts';
import { boardTotals } from './board-totals.ts';

/**
 * Every event consumer, declared once. A consumer's Lambda handler lives in `functions/events/<name>.ts`
 * (exported as `handler`); the CDK stack gives it a rule whose pattern comes from its event types, a retry
 * policy, a dead-letter queue and exactly the access it declares; the local runtime's bus routes to the same
 * consumers with the same patterns.
 */
export const consumers: readonly Consumer[] = [contactStatuses, sharingRules, opportunityCleanup, postSaleSpawn, postSaleSync, boardTotals];
