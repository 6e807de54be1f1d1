import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/app-context.ts';
import { contactModel, opportunityModel } from '../shared/db/keys.ts';
import { fromItem } from '../shared/db/records.ts';
import type { Contact } from '../shared/schemas/contacts.ts';
import type { DynamoTarget } from './dynamo-load.ts';
import type { HttpTarget } from './http-load.ts';

/** A running local API as a load client sees it: its URL, a token, and the DynamoDB Local table behind it. */
export interface ServedApi {
  url: string;
  adminToken: string;
  dynamoEndpoint: string;
  tableName: string;
}

export const servedApi = (runtime: { url: string; adminToken: string; dynamoEndpoint: string; ctx: { tableName: string } }): ServedApi => ({
  url: runtime.url,
  adminToken: runtime.adminToken,
  dynamoEndpoint: runtime.dynamoEndpoint,
  tableName: runtime.ctx.tableName,
});

/** An API route under load, beside the one bare DynamoDB call that is the floor of its cost. */
export interface Scenario {
  route: string;
  api: HttpTarget;
  bare: DynamoTarget;
  /** Issue 14 item 2: the most the API's p50 may be, in bare p50s. */
  ratioLimit: number;
  /** The route's own DynamoDB work made bare, when it is more than the one call (a transaction): its real floor. */
  ownWork?: DynamoTarget;
}

const NEW_CONTACT = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', tags: ['bench'] };

async function create<T>(runtime: ServedApi, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`Setup POST ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Creates the data through the API (as the admin), then describes each route and its bare counterpart. */
export async function prepareScenarios(runtime: ServedApi): Promise<Scenario[]> {
  const contact = await create<{ id: string }>(runtime, '/contacts', NEW_CONTACT);
  const opportunity = await create<{ id: string }>(runtime, '/opportunities', { title: 'Bench deal', contactId: contact.id, value: { amount: 500_000 } });

  const TableName = runtime.tableName;
  const stored = (await documentClient(runtime.dynamoEndpoint).send(new GetCommand({ TableName, Key: contactModel.key(contact.id) }))).Item;
  if (!stored) throw new Error(`Contact ${contact.id} created by the API is not in table ${TableName}`);
  const on = { endpoint: runtime.dynamoEndpoint, tableName: TableName };

  return [
    {
      route: 'GET /opportunities/{id}',
      api: { method: 'GET', url: `${runtime.url}/opportunities/${opportunity.id}`, token: runtime.adminToken },
      bare: { ...on, call: { operation: 'GetItem', key: opportunityModel.key(opportunity.id) } },
      ratioLimit: 1.5,
    },
    {
      route: 'POST /contacts',
      api: { method: 'POST', url: `${runtime.url}/contacts`, token: runtime.adminToken, body: NEW_CONTACT },
      // The bare write stores what POST /contacts stores: the same item, index keys included, under a new id.
      bare: { ...on, call: { operation: 'PutItem', contact: fromItem<Contact>(stored) } },
      ratioLimit: 2,
      ownWork: { ...on, call: { operation: 'TransactWriteItems', contact: fromItem<Contact>(stored) } },
    },
  ];
}
