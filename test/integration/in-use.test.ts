import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../shared/app-context.ts';
import { contactModel, leadModel, leadStatusModel, opportunityModel, stageModel } from '../../shared/db/keys.ts';
import { deleteUnlessUsed } from '../../shared/db/uses.ts';
import { TestApi } from '../support/api.ts';
import { created, newContact } from '../support/fixtures.ts';
import { testDocumentClient } from '../support/database.ts';

/**
 * R-CFG-1 "a stage in use cannot be deleted", R-LEAD-1 "deleting a status in use is a 409" and R-CON-1 (a contact
 * with opportunities, a company with employees or opportunities cannot be deleted) under concurrency:
 * the check must not trust an index that may lag behind the last write (DynamoDB Local's never lags, so these tests
 * hide records from the index by hand), and a record entering the stage or status while it is being deleted must
 * either be seen by the deletion or be refused.
 */

let api: TestApi;
let ctx: AppContext;
beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
});
afterAll(() => api?.stop());

/** What a lagging index shows: the record is not in that index's partition yet (by default GSI5: a stage's, a status's). */
const hideFromIndex = (key: { PK: string; SK: string }, index = 'GSI5') =>
  ctx.db.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, UpdateExpression: `REMOVE ${index}PK, ${index}SK` }));

/** What a deletion in progress leaves on the record: a lease on its current version. */
const setRetiredUntil = (key: { PK: string; SK: string }, until: string) =>
  ctx.db.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, UpdateExpression: 'SET retiredUntil = :until, retiredVersion = version', ExpressionAttributeValues: { ':until': until } }));

describe('R-CFG-1 a stage in use cannot be deleted, whatever its index shows', () => {
  it('R-CFG-1 an opportunity the index does not show yet still keeps its stage (409 stage_in_use)', async () => {
    const stage = await created(api, '/stages', { name: 'Hidden', order: 90, probability: 20 });
    const opportunity = await created(api, '/opportunities', { title: 'Deal', contactId: await newContact(api), stageId: stage.id });
    await hideFromIndex(opportunityModel.key(opportunity.id!));

    const answer = await api.delete(`/stages/${stage.id}`);

    expect([answer.status, answer.body.code]).toEqual([409, 'stage_in_use']);
    expect((await api.get(`/stages/${stage.id}`)).body).toMatchObject({ id: stage.id, version: 1 });
  });

  it('R-CFG-1 an opportunity that leaves the stage frees it: the stage can then be deleted', async () => {
    const stage = await created(api, '/stages', { name: 'Passing', order: 91, probability: 20 });
    const opportunity = await created(api, '/opportunities', { title: 'Deal', contactId: await newContact(api), stageId: stage.id });
    const other = (await api.get('/settings/pipeline')).body.defaultStageId;

    await api.patch(`/opportunities/${opportunity.id}`, { stageId: other });
    const answer = await api.delete(`/stages/${stage.id}`);

    expect(answer.status).toBe(204);
  });

  it('R-CFG-1 no opportunity enters a stage being deleted (400 on stageId); once the deletion lapses, it may', async () => {
    const stage = await created(api, '/stages', { name: 'Leaving', order: 92, probability: 20 });
    const contactId = await newContact(api);
    await setRetiredUntil(stageModel.key(stage.id!), new Date(Date.now() + 60_000).toISOString());

    const whileDeleting = await api.post('/opportunities', { title: 'Deal', contactId, stageId: stage.id });
    await setRetiredUntil(stageModel.key(stage.id!), new Date(Date.now() - 1_000).toISOString());
    const afterLapse = await api.post('/opportunities', { title: 'Deal', contactId, stageId: stage.id });

    expect([whileDeleting.status, whileDeleting.body.errors]).toEqual([400, [{ path: 'stageId', message: 'No such stage' }]]);
    expect(afterLapse.status).toBe(201);
  });

  it('R-CFG-1 creations racing deletions: every opportunity created ends in a stage that exists', async () => {
    const rounds = await Promise.all(
      Array.from({ length: 8 }, async (_, round) => {
        const stage = await created(api, '/stages', { name: `Race ${round}`, order: 100 + round, probability: 20 });
        const contactId = await newContact(api);
        const [creation, deletion] = await Promise.all([
          api.post('/opportunities', { title: 'Deal', contactId, stageId: stage.id }),
          api.delete(`/stages/${stage.id}`),
        ]);
        return { creation: creation.status, deletion: deletion.status, stageExists: (await api.get(`/stages/${stage.id}`)).status === 200 };
      }),
    );

    for (const round of rounds) {
      expect([[201, 409, true], [400, 204, false], [409, 204, false]]).toContainEqual([round.creation, round.deletion, round.stageExists]);
    }
  });
});

describe('R-LEAD-1 a lead status in use cannot be deleted, whatever its index shows', () => {
  it('R-LEAD-1 a lead the index does not show yet still keeps its status (409 lead_status_in_use); once deleted, it frees it', async () => {
    const status = await created(api, '/lead-statuses', { name: 'Hidden' });
    const lead = await created(api, '/leads', { name: 'Ada', statusId: status.id });
    await hideFromIndex(leadModel.key(lead.id!));

    const refused = await api.delete(`/lead-statuses/${status.id}`);
    await api.delete(`/leads/${lead.id}`);
    const allowed = await api.delete(`/lead-statuses/${status.id}`);

    expect([refused.status, refused.body.code]).toEqual([409, 'lead_status_in_use']);
    expect(allowed.status).toBe(204);
  });

  it('R-LEAD-1 no lead enters a status being deleted (400 on statusId)', async () => {
    const status = await created(api, '/lead-statuses', { name: 'Leaving' });
    await setRetiredUntil(leadStatusModel.key(status.id!), new Date(Date.now() + 60_000).toISOString());

    const answer = await api.post('/leads', { name: 'Bob', statusId: status.id });

    expect([answer.status, answer.body.errors?.[0]?.path]).toEqual([400, 'statusId']);
  });
});

describe('R-CON-1 a contact or company in use cannot be deleted, whatever the indexes show', () => {
  it('R-CON-1 a contact keeps an opportunity the index does not show yet (409 has_opportunities)', async () => {
    const contactId = await newContact(api);
    const opportunity = await created(api, '/opportunities', { title: 'Deal', contactId });
    await hideFromIndex(opportunityModel.key(opportunity.id!), 'GSI3');

    const answer = await api.delete(`/contacts/${contactId}`);

    expect([answer.status, answer.body.code]).toEqual([409, 'has_opportunities']);
  });

  it('R-CON-1 a company keeps an employee and an opportunity the indexes do not show yet; once both leave, it can go', async () => {
    const company = await created(api, '/companies', { name: 'Acme' });
    const employee = await created(api, '/contacts', { lastName: 'Neri', companyId: company.id });
    const opportunity = await created(api, '/opportunities', { title: 'Deal', companyId: company.id });
    await hideFromIndex(contactModel.key(employee.id!), 'GSI3');
    await hideFromIndex(opportunityModel.key(opportunity.id!), 'GSI4');

    const withEmployee = await api.delete(`/companies/${company.id}`);
    await api.patch(`/contacts/${employee.id}`, { companyId: null });
    const withOpportunity = await api.delete(`/companies/${company.id}`);
    const opportunityDeleted = await api.delete(`/opportunities/${opportunity.id}`);
    const unused = await api.delete(`/companies/${company.id}`);

    expect([withEmployee.status, withEmployee.body.code]).toEqual([409, 'company_has_contacts']);
    expect([withOpportunity.status, withOpportunity.body.code]).toEqual([409, 'has_opportunities']);
    expect(opportunityDeleted.status).toBe(204);
    expect([unused.status, unused.body?.code]).toEqual([204, undefined]);
  });

  it('R-CON-1 no opportunity names a contact being deleted (400 on contactId)', async () => {
    const contactId = await newContact(api);
    await setRetiredUntil(contactModel.key(contactId!), new Date(Date.now() + 60_000).toISOString());

    const answer = await api.post('/opportunities', { title: 'Deal', contactId });

    expect([answer.status, answer.body.errors]).toEqual([400, [{ path: 'contactId', message: 'No such contact' }]]);
  });
});

describe('SPEC §1 a deletion that loses a race without If-Match is judged again', () => {
  /** A context whose first retirement of the record finds it changed by another writer just before. */
  function contextWithConcurrentWriter(key: { PK: string; SK: string }): AppContext {
    const db = testDocumentClient();
    let raced = false;
    db.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (!raced && input.UpdateExpression?.startsWith('SET retiredUntil')) {
          raced = true;
          await ctx.db.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, UpdateExpression: 'SET version = version + :one', ExpressionAttributeValues: { ':one': 1 } }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'concurrent-writer' },
    );
    return { ...ctx, db };
  }

  it('SPEC §1 a stage changed between the read and the retirement is read again and deleted; with If-Match it is a 412', async () => {
    const [first, second] = [await created(api, '/stages', { name: 'Raced', order: 120, probability: 5 }), await created(api, '/stages', { name: 'Raced too', order: 121, probability: 5 })];
    const noUses = { usedBy: [] };

    await deleteUnlessUsed(contextWithConcurrentWriter(stageModel.key(first.id!)), stageModel, first.id!, noUses);
    const withIfMatch = deleteUnlessUsed(contextWithConcurrentWriter(stageModel.key(second.id!)), stageModel, second.id!, { ...noUses, ifMatch: 1 });

    expect((await api.get(`/stages/${first.id}`)).status).toBe(404);
    await expect(withIfMatch).rejects.toMatchObject({ kind: 'stale' });
  });
});
