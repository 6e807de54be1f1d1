import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { LocalRuntime } from '../local/runtime.ts';
import { documentClient } from '../shared/app-context.ts';
import { contactModel, opportunityModel } from '../shared/db/keys.ts';
import { fromItem, toItem } from '../shared/db/records.ts';
import type { Contact } from '../shared/schemas/contacts.ts';
import type { DynamoCall } from './dynamo-load.ts';
import type { HttpTarget } from './http-load.ts';

/** An API route under load, beside the one bare DynamoDB call that is the floor of its cost. */
export interface Scenario {
  route: string;
  api: HttpTarget;
  bare: { operation: 'GetItem' | 'PutItem'; call: DynamoCall };
}

const NEW_CONTACT = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', tags: ['bench'] };

async function create<T>(runtime: LocalRuntime, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`Setup POST ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Creates the data through the API (as the admin), then describes each route and its bare counterpart. */
export async function prepareScenarios(runtime: LocalRuntime): Promise<Scenario[]> {
  const contact = await create<{ id: string }>(runtime, '/contacts', NEW_CONTACT);
  const opportunity = await create<{ id: string }>(runtime, '/opportunities', { title: 'Bench deal', contactId: contact.id, value: { amount: 500_000 } });

  // Its own client, configured like the handlers' one, on the runtime's table.
  const db = documentClient(runtime.dynamoEndpoint);
  const TableName = runtime.ctx.tableName;
  const read = (Key: Record<string, string>) => db.send(new GetCommand({ TableName, Key }));
  const stored = (await read(contactModel.key(contact.id))).Item;
  if (!stored) throw new Error(`Contact ${contact.id} created by the API is not in table ${TableName}`);
  // The bare write stores what POST /contacts stores: the same item, index keys included, under a new id.
  const storedContact = fromItem<Contact>(stored);

  return [
    {
      route: 'GET /opportunities/{id}',
      api: { method: 'GET', url: `${runtime.url}/opportunities/${opportunity.id}`, token: runtime.adminToken },
      bare: { operation: 'GetItem', call: () => read(opportunityModel.key(opportunity.id)) },
    },
    {
      route: 'POST /contacts',
      api: { method: 'POST', url: `${runtime.url}/contacts`, token: runtime.adminToken, body: NEW_CONTACT },
      bare: { operation: 'PutItem', call: () => db.send(new PutCommand({ TableName, Item: toItem(contactModel, { ...storedContact, id: ulid() }) })) },
    },
  ];
}
