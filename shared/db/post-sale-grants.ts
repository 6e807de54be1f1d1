import type { AppContext } from '../app-context.ts';
import type { DomainError } from '../domain/errors.ts';
import { granteeChanges } from '../domain/post-sale.ts';
import { partiesOf, type Party } from '../domain/sharing.ts';
import type { PostSaleProcess } from '../schemas/post-sale.ts';
import { opportunityModel, postSaleGrantKey, shareIndexKeys, type SharedCollection } from './keys.ts';
import { batchGetAll, getItem, type ExtraWrite } from './store.ts';

/**
 * R-PS-6 / R-SHR-1: what a process's assignments grant beyond the process itself: its opportunity, and that
 * opportunity's contact and company (keys.ts `postSaleGrantKey`). Written as the difference between the process's
 * grantees before and after a change, in the process's transaction (conditioned on its version, so two changes of
 * one process never compute from the same grantees). An opportunity's grant records the parties it was granted
 * with, so a revocation removes exactly what was granted even if the opportunity has moved to another contact
 * since. A party's grant holds the opportunities it comes from: one opportunity's process adds or removes its own
 * id, and the last one deletes the item under a condition on that set, so concurrent processes of two opportunities
 * of one contact never lose or leave a grant (a condition that fails is a lost race, tried again from the read).
 */

const GRANTED_VIA = 'grantedVia';
const RECORD_FIELDS: Record<SharedCollection, string> = { opportunities: 'opportunityId', contacts: 'contactId', companies: 'companyId' };

type GrantChange = Pick<PostSaleProcess, 'id' | 'opportunityId' | 'assigneeId' | 'tasks'>;

const partyKeyId = (key: { PK: string; SK: string }) => `${key.PK}|${key.SK}`;

function partyGrantAdd(ctx: AppContext, party: Party, userId: string, opportunityId: string): ExtraWrite {
  return {
    write: {
      Update: {
        TableName: ctx.tableName,
        Key: postSaleGrantKey(party.collection, party.id, userId),
        UpdateExpression: 'SET recordType = :type, #record = :record, userId = :user, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk ADD #via :via',
        ExpressionAttributeNames: { '#record': RECORD_FIELDS[party.collection], '#via': GRANTED_VIA },
        ExpressionAttributeValues: {
          ':type': 'Post-sale grant',
          ':record': party.id,
          ':user': userId,
          ':gsi2pk': shareIndexKeys(party.collection, party.id, userId).GSI2PK,
          ':gsi2sk': party.id,
          ':via': new Set([opportunityId]),
        },
      },
    },
  };
}

function partyGrantRemove(ctx: AppContext, key: { PK: string; SK: string }, via: ReadonlySet<string>, opportunityId: string, lostRace: DomainError): ExtraWrite | undefined {
  if (!via.has(opportunityId)) return undefined;
  const names = { '#via': GRANTED_VIA };
  const values = { ':opp': opportunityId, ':one': 1 };
  if (via.size === 1) {
    // The last opportunity granting it: the item goes, unless another one was added meanwhile (then: read again).
    return {
      write: { Delete: { TableName: ctx.tableName, Key: key, ConditionExpression: 'size(#via) = :one AND contains(#via, :opp)', ExpressionAttributeNames: names, ExpressionAttributeValues: values } },
      onConditionFailed: lostRace,
    };
  }
  return {
    write: {
      Update: {
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: 'DELETE #via :via',
        ConditionExpression: 'size(#via) > :one AND contains(#via, :opp)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':via': new Set([opportunityId]) },
      },
    },
    onConditionFailed: lostRace,
  };
}

/** The grant writes of a process going from `before` to `after` (undefined: created or deleted). */
export async function grantWrites(ctx: AppContext, before: GrantChange | undefined, after: GrantChange | undefined, lostRace: DomainError): Promise<ExtraWrite[]> {
  const { gained, lost } = granteeChanges(before, after);
  if (gained.length === 0 && lost.length === 0) return [];
  const process = (after ?? before)!;
  const opportunityId = process.opportunityId;
  const writes: ExtraWrite[] = [];

  const opportunity = gained.length > 0 ? await getItem(ctx, opportunityModel.key(opportunityId), { consistent: true }) : undefined;
  // An opportunity gone meanwhile grants nothing (its process goes with it).
  if (opportunity) {
    const granted = { contactId: (opportunity?.contactId as string | null | undefined) ?? null, companyId: (opportunity?.companyId as string | null | undefined) ?? null };
    for (const userId of gained) {
      const item = {
        ...postSaleGrantKey('opportunities', opportunityId, userId),
        ...shareIndexKeys('opportunities', opportunityId, userId),
        recordType: 'Post-sale grant',
        opportunityId,
        processId: process.id,
        userId,
        ...granted,
        grantedAt: ctx.now().toISOString(),
      };
      writes.push({ write: { Put: { TableName: ctx.tableName, Item: item } } });
      for (const party of partiesOf(granted)) writes.push(partyGrantAdd(ctx, party, userId, opportunityId));
    }
  }

  if (lost.length > 0) {
    const grants = await batchGetAll(ctx, lost.map((userId) => postSaleGrantKey('opportunities', opportunityId, userId)), { consistent: true });
    const partyKeys = grants.flatMap((grant) =>
      partiesOf({ contactId: (grant.contactId as string | null) ?? null, companyId: (grant.companyId as string | null) ?? null }).map((party) => postSaleGrantKey(party.collection, party.id, grant.userId as string)),
    );
    const partyGrants = new Map((await batchGetAll(ctx, partyKeys, { consistent: true })).map((item) => [partyKeyId(item as { PK: string; SK: string }), item]));
    for (const grant of grants) {
      writes.push({ write: { Delete: { TableName: ctx.tableName, Key: { PK: grant.PK, SK: grant.SK } } } });
      for (const party of partiesOf({ contactId: (grant.contactId as string | null) ?? null, companyId: (grant.companyId as string | null) ?? null })) {
        const key = postSaleGrantKey(party.collection, party.id, grant.userId as string);
        const via = partyGrants.get(partyKeyId(key))?.[GRANTED_VIA] as Set<string> | undefined;
        const write = via ? partyGrantRemove(ctx, key, via, opportunityId, lostRace) : undefined;
        if (write) writes.push(write);
      }
    }
  }
  return writes;
}

/** R-SHR-1: whether a process's assignment grants the user the record (one strongly consistent GetItem). */
export async function isGrantedTo(ctx: AppContext, collection: SharedCollection, recordId: string, userId: string): Promise<boolean> {
  const item = await getItem(ctx, postSaleGrantKey(collection, recordId, userId), { consistent: true });
  return item !== undefined;
}
