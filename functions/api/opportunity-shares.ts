import type { AppContext } from '../../shared/app-context.ts';
import { opportunityShareContracts } from '../../shared/contracts/opportunity-shares.ts';
import { opportunityModel, userModel } from '../../shared/db/keys.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { getOpportunityShare, listOpportunityShares, shareOpportunity, unshareOpportunity } from '../../shared/db/shares.ts';
import { getRecord, requireRecord } from '../../shared/db/store.ts';
import { canManageShared, canSeeOpportunity } from '../../shared/db/visibility.ts';
import { notFound, throwIfInvalid } from '../../shared/domain/errors.ts';
import type { StoredOpportunity } from '../../shared/domain/opportunities.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { shareTargetErrors } from '../../shared/domain/sharing.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement, result } from '../../shared/http/route.ts';

/**
 * R-OPP-9 sharing an opportunity with other users (R-SHR-1: they then see it), and with `shareContactWhenShared` /
 * `unshareContactWhenUnshared` its contact and company too (R-SHR-2). Only its owner, a manager or an admin shares it; a rep
 * that sees it through a share is refused (403), one that does not see it gets the usual 404.
 */

const requireManagedOpportunity = (ctx: AppContext, principal: Principal, id: string) =>
  requireRecord<StoredOpportunity>(ctx, opportunityModel, id, canManageShared(ctx, principal, 'opportunities'));

export const opportunityShareRoutes = [
  implement(opportunityShareContracts.listOpportunityShares, async ({ ctx, principal, params, query }) => {
    await requireRecord<StoredOpportunity>(ctx, opportunityModel, params.id, canSeeOpportunity(ctx, principal));
    return listOpportunityShares(ctx, params.id, query);
  }),
  implement(opportunityShareContracts.shareOpportunity, async ({ ctx, principal, params, body }) => {
    const current = await requireManagedOpportunity(ctx, principal, params.id);
    const [user, settings] = await Promise.all([getRecord(ctx, userModel, body.userId), getPipelineSettings(ctx)]);
    throwIfInvalid(shareTargetErrors(current, user));
    const shared = await shareOpportunity(ctx, current, {
      userId: body.userId,
      sharedBy: principal.userId,
      withParties: settings.sharing.shareContactWhenShared,
    });
    return shared.created ? shared.share : result(shared.share, { status: 200 });
  }),
  implement(opportunityShareContracts.unshareOpportunity, async ({ ctx, principal, params }) => {
    const current = await requireManagedOpportunity(ctx, principal, params.id);
    const [share, settings] = await Promise.all([getOpportunityShare(ctx, params.id, params.userId), getPipelineSettings(ctx)]);
    if (!share) throw notFound('Share');
    await unshareOpportunity(ctx, current, params.userId, settings.sharing.unshareContactWhenUnshared);
    return undefined;
  }),
];

export const handler = createApiHandler(opportunityShareRoutes);
