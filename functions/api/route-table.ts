import { contractsOf, type GroupName } from '../../shared/contracts/index.ts';
import type { AnyContract } from '../../shared/http/contract.ts';

/**
 * The API's route groups: one Lambda function each, whose handler lives in `functions/api/<name>.ts` (exported as
 * `handler`). The CDK stack reads this table without loading any handler code: the routes are the group's contracts.
 */
export interface RouteGroup {
  name: GroupName;
  contracts: readonly AnyContract[];
  /** What the group's function may touch besides its logs; the stack grants exactly this. */
  needs: readonly GroupNeed[];
}

/** `table`: read and write items of the table (and read the cursor secret); `userDirectory`: manage Cognito users. */
export type GroupNeed = 'table' | 'userDirectory';

export const routeGroups: readonly RouteGroup[] = [
  { name: 'users', contracts: contractsOf('users'), needs: ['table', 'userDirectory'] },
  { name: 'contacts', contracts: contractsOf('contacts'), needs: ['table'] },
  { name: 'pipeline', contracts: contractsOf('pipeline'), needs: ['table'] },
  { name: 'custom-fields', contracts: contractsOf('custom-fields'), needs: ['table'] },
  { name: 'groups', contracts: contractsOf('groups'), needs: ['table'] },
  { name: 'opportunities', contracts: contractsOf('opportunities'), needs: ['table'] },
  { name: 'leads', contracts: contractsOf('leads'), needs: ['table'] },
  { name: 'opportunity-lifecycle', contracts: contractsOf('opportunity-lifecycle'), needs: ['table'] },
  { name: 'opportunity-shares', contracts: contractsOf('opportunity-shares'), needs: ['table'] },
  { name: 'openapi', contracts: contractsOf('openapi'), needs: [] },
];
