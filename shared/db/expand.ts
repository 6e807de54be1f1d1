import type { AppContext } from '../app-context.ts';
import { seesEverything } from '../domain/access.ts';
import { validationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { Relation } from '../schemas/expand.ts';
import { companyModel, contactModel, leadStatusModel, postSaleGrantKey, type SharedCollection, shareKey, stageModel, userModel } from './keys.ts';
import { fromItem, type BaseRecord, type EntityModel, type Item } from './records.ts';
import { batchGetAll, type Key, type Page } from './store.ts';

/**
 * SPEC §1 "Related records" and "Batch reads" (issue 16). Both read by key in ONE batched read (`batchGetAll`: a
 * BatchGetItem per 100 keys), whatever the page size:
 * - an expansion reads every relation asked for at once, each related id once (deduplicated over the page);
 * - a batch read reads the ids asked for.
 * For a rep, the share and post-sale grant items of the contacts and companies (or opportunities) read are in the same
 * batched read, so visibility (R-SHR-1: owned, shared or granted) is decided without a read per record: a rep never
 * learns through an expansion a name it could not read by id (it is `null`), and a batch read leaves out what it may
 * not see.
 */

type Summary = Record<string, unknown>;

interface RelationSpec {
  /** The field of the record that names the related one. */
  field: string;
  model: EntityModel<BaseRecord>;
  /** Owned records a rep sees only when owned, shared or granted (R-SHR-1); the others are visible to everyone. */
  shared?: SharedCollection;
  summary(item: Item): Summary;
}

const personName = (item: Item) => [item.firstName, item.lastName].filter((part): part is string => typeof part === 'string' && part.length > 0).join(' ');

const RELATIONS: Record<Relation, RelationSpec> = {
  contact: { field: 'contactId', model: contactModel as EntityModel<BaseRecord>, shared: 'contacts', summary: (item) => ({ id: item.id, name: personName(item), email: item.email ?? null }) },
  company: { field: 'companyId', model: companyModel as EntityModel<BaseRecord>, shared: 'companies', summary: (item) => ({ id: item.id, name: item.name }) },
  owner: { field: 'ownerId', model: userModel as EntityModel<BaseRecord>, summary: (item) => ({ id: item.id, name: item.name }) },
  stage: { field: 'stageId', model: stageModel as EntityModel<BaseRecord>, summary: (item) => ({ id: item.id, name: item.name, probability: item.probability }) },
  status: { field: 'statusId', model: leadStatusModel as EntityModel<BaseRecord>, summary: (item) => ({ id: item.id, name: item.name }) },
};

const keyId = (key: Key) => `${String(key.PK)}|${String(key.SK)}`;

/**
 * Reads records by id, with what a rep needs to know whether it sees each one (`shared`: their share and grant items),
 * in one batched read. Answers the records found that the caller may see, by id.
 */
async function readVisible(
  ctx: AppContext,
  principal: Principal,
  wanted: readonly { model: EntityModel<BaseRecord>; shared?: SharedCollection | undefined; ids: readonly string[] }[],
): Promise<Map<EntityModel<BaseRecord>, Map<string, Item>>> {
  const checksSight = (shared: SharedCollection | undefined): shared is SharedCollection => shared !== undefined && !seesEverything(principal);
  const keys: Key[] = wanted.flatMap(({ model, shared, ids }) =>
    ids.flatMap((id) => [model.key(id), ...(checksSight(shared) ? [shareKey(shared, id, principal.userId), postSaleGrantKey(shared, id, principal.userId)] : [])]),
  );
  const found = new Map<string, Item>();
  if (keys.length > 0) for (const item of await batchGetAll(ctx, keys, { consistent: true })) found.set(keyId(item as Key), item);
  const result = new Map<EntityModel<BaseRecord>, Map<string, Item>>();
  for (const { model, shared, ids } of wanted) {
    const visible = new Map<string, Item>();
    for (const id of ids) {
      const item = found.get(keyId(model.key(id)));
      if (!item) continue;
      const sees =
        !checksSight(shared) ||
        item.ownerId === principal.userId ||
        found.has(keyId(shareKey(shared, id, principal.userId))) ||
        found.has(keyId(postSaleGrantKey(shared, id, principal.userId)));
      if (sees) visible.set(id, item);
    }
    result.set(model, visible);
  }
  return result;
}

/**
 * The records with each relation asked for embedded under its name: its summary, or null when the record names none
 * or the caller may not see it. One batched read for the whole page and every relation.
 */
export async function expandRecords<T extends object>(ctx: AppContext, principal: Principal, records: readonly T[], relations: readonly Relation[] | undefined): Promise<T[]> {
  if (!relations || relations.length === 0 || records.length === 0) return [...records];
  const specs = relations.map((relation) => [relation, RELATIONS[relation]] as const);
  const named = (spec: RelationSpec, record: T) => {
    const value = (record as Record<string, unknown>)[spec.field];
    return typeof value === 'string' ? value : undefined;
  };
  const visible = await readVisible(
    ctx,
    principal,
    specs.map(([, spec]) => ({ model: spec.model, shared: spec.shared, ids: [...new Set(records.flatMap((record) => named(spec, record) ?? []))] })),
  );
  return records.map((record) => {
    const expanded: Record<string, unknown> = { ...(record as Record<string, unknown>) };
    for (const [relation, spec] of specs) {
      const id = named(spec, record);
      const item = id === undefined ? undefined : visible.get(spec.model)?.get(id);
      expanded[relation] = item ? spec.summary(item) : null;
    }
    return expanded as T;
  });
}

/** A page with its items expanded (see `expandRecords`). */
export async function expandPage<T extends object>(ctx: AppContext, principal: Principal, page: Page<T>, relations: readonly Relation[] | undefined): Promise<Page<T>> {
  return { items: await expandRecords(ctx, principal, page.items, relations), nextCursor: page.nextCursor };
}

/** How a batch read decides what a caller sees of a collection. */
export type BatchSight =
  /** Everyone sees every record (users). */
  | { kind: 'everyone' }
  /** Staff see all, a rep what it owns (leads). */
  | { kind: 'owned' }
  /** Staff see all, a rep what it owns or what is shared with or granted to it (R-SHR-1). */
  | { kind: 'shared'; collection: SharedCollection };

/**
 * `?id=a,b,…` (SPEC §1 batch reads): the records of these ids the caller may see, in the order given, unknown and
 * invisible ones simply absent; one batched read. `others` are the listing's other parameters: a batch read takes
 * no filter and no cursor (a 400 at `query.id`), so that what it answers never depends on a filter silently.
 */
export async function readByIds<T extends BaseRecord>(
  ctx: AppContext,
  principal: Principal,
  source: { model: EntityModel<T>; sight: BatchSight },
  ids: readonly string[],
  others: Record<string, unknown>,
): Promise<Page<T>> {
  const combined = Object.entries(others).filter(([, value]) => value !== undefined).map(([name]) => name);
  if (combined.length > 0) throw validationFailed([{ path: 'query.id', message: `A batch read by id takes no other filter nor cursor (got ${combined.join(', ')}); expand may be added` }]);
  const model = source.model as unknown as EntityModel<BaseRecord>;
  const shared = source.sight.kind === 'shared' ? source.sight.collection : undefined;
  const visible = (await readVisible(ctx, principal, [{ model, shared, ids }])).get(model)!;
  const items = ids.flatMap((id) => {
    const item = visible.get(id);
    if (!item) return [];
    if (source.sight.kind === 'owned' && !seesEverything(principal) && item.ownerId !== principal.userId) return [];
    return [fromItem<T>(item)];
  });
  return { items, nextCursor: null };
}
