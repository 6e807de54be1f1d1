import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { openOpportunitiesGuardKey } from '../../shared/db/keys.ts';
import type { Role } from '../../shared/domain/principal.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import type { TestApi } from './api.ts';

/**
 * Fixtures every integration test file shares: the callers, records made over HTTP, and the usual readings of an
 * answer. A fixture that fails throws with the answer, so a broken precondition never passes for the behaviour tested.
 */

export interface Caller {
  id: string;
  token: string;
}

/** The request options that act as `caller`. */
export const as = (caller: Caller) => ({ token: caller.token });

/** Users of the given roles, created over HTTP, in the order asked. */
export const usersOf = <R extends Role[]>(api: TestApi, ...roles: R) =>
  Promise.all(roles.map((role) => api.createUser(role))) as Promise<{ [K in keyof R]: Caller }>;

/** POSTs `body` and answers the created record; anything but a 201 throws. */
export async function created<T = Record<string, any>>(api: TestApi, path: string, body: Record<string, unknown>, caller?: Caller): Promise<T> {
  const answer = await api.post(path, body, caller ? as(caller) : {});
  if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

export const newContact = async (api: TestApi, caller?: Caller, fields: Record<string, unknown> = {}): Promise<string> =>
  (await created(api, '/contacts', { lastName: 'Rossi', ...fields }, caller)).id;

export const newCompany = async (api: TestApi, caller?: Caller, fields: Record<string, unknown> = {}): Promise<string> =>
  (await created(api, '/companies', { name: 'Acme', ...fields }, caller)).id;

/** An opportunity titled "Deal"; without a contact or company in `body`, for a new contact of the caller. */
export async function newOpportunity(api: TestApi, caller?: Caller, body: Record<string, unknown> = {}): Promise<Opportunity> {
  const party = body.contactId || body.companyId ? {} : { contactId: await newContact(api, caller) };
  return created<Opportunity>(api, '/opportunities', { title: 'Deal', ...party, ...body }, caller);
}

/** Runs `act` and checks that the table is exactly as before (a refused request writes nothing). */
export async function expectNothingWritten(api: TestApi, act: () => Promise<unknown>): Promise<void> {
  const before = await api.tableSnapshot();
  await act();
  expect(await api.tableSnapshot()).toEqual(before);
}

/** The ids of a page, in order. */
export const idsOf = (answer: { body: { items: { id: string }[] } }) => answer.body.items.map((item) => item.id);

/** Lists are newest first by id (a ULID). */
export const newestFirst = (ids: readonly string[]) => [...ids].sort().reverse();

/** The paths a 400 names, sorted. */
export const pathsOf = (answer: { body: { errors: { path: string }[] } }) => answer.body.errors.map((error) => error.path).sort();

/** R-OPP-2: the ids the duplicate guard of a contact (or company) holds. */
export async function guardHolders(api: TestApi, party: { contactId: string | null; companyId: string | null }): Promise<string[]> {
  const { ctx } = api.runtime;
  const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: openOpportunitiesGuardKey(party), ConsistentRead: true }));
  return (item?.holders as string[] | undefined) ?? [];
}

/** Sets switches of the pipeline settings' `sharing` (R-SHR-2), as an admin, keeping the rest of the document. */
export async function setSharing(api: TestApi, switches: Record<string, boolean>): Promise<void> {
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = (await api.get('/settings/pipeline')).body;
  const answer = await api.put('/settings/pipeline', { ...document, sharing: { ...document.sharing, ...switches } });
  if (answer.status !== 200) throw new Error(`PUT /settings/pipeline: ${answer.status} ${JSON.stringify(answer.body)}`);
}
