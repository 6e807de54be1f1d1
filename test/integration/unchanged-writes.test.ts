import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi, type TestResponse } from '../support/api.ts';
import { as, created, expectNothingWritten, newOpportunity, settle, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * SPEC §1 "version (integer, +1 per change)": a write that repeats what is stored (a form saved unchanged, a retry
 * of a change that went through) is no change. It answers the record as it is and writes nothing: no new version
 * (which would fail the If-Match of every other client holding the record), no event, no history entry.
 */

let api: TestApi;
let rep: Caller;
beforeAll(async () => {
  api = await TestApi.start();
  [rep] = await usersOf(api, 'rep');
});
afterAll(() => api?.stop());

interface Case {
  route: string;
  /** Makes the record and answers the path to PATCH (or PUT) and the body that repeats its stored values. */
  arrange: () => Promise<{ path: string; body: Record<string, unknown>; method?: 'PATCH' | 'PUT'; caller?: Caller; readPath?: string }>;
}

const cases: Case[] = [
  {
    route: 'PATCH /contacts/{id}',
    arrange: async () => {
      const body = { firstName: 'Ada', lastName: 'Byron', email: 'ada@acme.example', phone: '+39 02 5550 1234', tags: ['VIP'] };
      return { path: `/contacts/${(await created(api, '/contacts', body, rep)).id}`, body, caller: rep };
    },
  },
  {
    route: 'PATCH /companies/{id}',
    arrange: async () => {
      const body = { name: 'Acme', domain: 'acme.example', tags: ['key account'] };
      return { path: `/companies/${(await created(api, '/companies', body, rep)).id}`, body, caller: rep };
    },
  },
  {
    route: 'PATCH /opportunities/{id}',
    arrange: async () => {
      const opportunity = await newOpportunity(api, rep, { title: 'Deal', value: { amount: 120000, currency: 'EUR' }, tags: ['q1'] });
      const { title, value, probability, stageId, contactId, expectedCloseDate, tags } = opportunity;
      return { path: `/opportunities/${opportunity.id}`, body: { title, value, probability, stageId, contactId, expectedCloseDate, tags }, caller: rep };
    },
  },
  {
    route: 'PATCH /leads/{id}',
    arrange: async () => {
      const body = { name: 'Carla Neri', companyName: 'Neri Costruzioni', email: 'carla@neri.example' };
      return { path: `/leads/${(await created(api, '/leads', body, rep)).id}`, body, caller: rep };
    },
  },
  {
    route: 'PATCH /stages/{id}',
    arrange: async () => {
      const body = { name: 'Demo', order: 25, probability: 35 };
      return { path: `/stages/${(await created(api, '/stages', body)).id}`, body };
    },
  },
  {
    route: 'PATCH /reasons/{id}',
    arrange: async () => {
      const reason = await created(api, '/reasons', { kind: 'loss', description: 'Too expensive' });
      return { path: `/reasons/${reason.id}`, body: { description: 'Too expensive', active: true } };
    },
  },
  {
    route: 'PATCH /custom-fields/{id}',
    arrange: async () => {
      const field = await created(api, '/custom-fields', { entity: 'contact', key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] });
      return { path: `/custom-fields/${field.id}`, body: { label: 'Tier', options: ['gold', 'silver'] } };
    },
  },
  {
    route: 'PATCH /groups/{id}',
    arrange: async () => {
      const body = { name: 'North', memberIds: [rep.id] };
      return { path: `/groups/${(await created(api, '/groups', body)).id}`, body };
    },
  },
  {
    route: 'PATCH /lead-statuses/{id}',
    arrange: async () => {
      const status = await created(api, '/lead-statuses', { name: 'Call back' });
      return { path: `/lead-statuses/${status.id}`, body: { name: 'Call back', order: status.order, active: status.active } };
    },
  },
  {
    route: 'PATCH /users/{id}',
    arrange: async () => {
      const user = (await api.get(`/users/${rep.id}`)).body;
      return { path: `/users/${rep.id}`, body: { name: user.name, role: user.role, active: true } };
    },
  },
  {
    route: 'PATCH /me/settings',
    arrange: async () => {
      const me = (await api.get('/me', as(rep))).body;
      return { path: '/me/settings', body: { locale: me.locale, dailyRecap: me.dailyRecap }, caller: rep, readPath: '/me' };
    },
  },
  {
    route: 'PUT /settings/pipeline',
    arrange: async () => {
      const { id, version, createdAt, updatedAt, ...settings } = (await api.get('/settings/pipeline')).body;
      return { path: '/settings/pipeline', body: settings, method: 'PUT' };
    },
  },
  {
    route: 'PATCH /post-sale-templates/{id}',
    arrange: async () => {
      const body = { name: 'Onboarding', tasks: [{ title: 'Kick-off call', dueInDays: 3 }] };
      return { path: `/post-sale-templates/${(await created(api, '/post-sale-templates', body)).id}`, body: { name: 'Onboarding' } };
    },
  },
  {
    route: 'PATCH /post-sale-processes/{id}',
    arrange: async () => {
      const opportunity = await newOpportunity(api, rep);
      const process = await created(api, '/post-sale-processes', { opportunityId: opportunity.id, labels: ['Priority'] }, rep);
      return { path: `/post-sale-processes/${process.id}`, body: { labels: process.labels }, caller: rep };
    },
  },
  {
    route: 'PATCH /post-sale-processes/{id}/tasks/{taskId}',
    arrange: async () => {
      const opportunity = await newOpportunity(api, rep);
      const process = await created(api, '/post-sale-processes', { opportunityId: opportunity.id }, rep);
      const withTask = await created(api, `/post-sale-processes/${process.id}/tasks`, { title: 'Install', dueAt: '2027-01-15T09:00:00.000Z' }, rep);
      const [task] = withTask.tasks;
      return { path: `/post-sale-processes/${process.id}/tasks/${task.id}`, body: { title: 'Install', dueAt: task.dueAt, status: task.status }, caller: rep, readPath: `/post-sale-processes/${process.id}` };
    },
  },
];

describe('SPEC §1 version +1 per change: a write that repeats the stored values changes nothing', () => {
  it.each(cases)('SPEC §1 $route with the stored values answers 200 with the same version and ETag, and writes nothing', async ({ arrange }) => {
    const { path, body, method = 'PATCH', caller, readPath = path } = await arrange();
    await settle(api);
    const before = (await api.get(readPath, caller && as(caller))).body;

    let answer: TestResponse | undefined;
    await expectNothingWritten(api, async () => {
      answer = await api.request(method, path, { body, ...(caller && as(caller)) });
    });

    expect(answer?.status, JSON.stringify(answer?.body)).toBe(200);
    expect(answer?.body).toMatchObject({ version: before.version, updatedAt: before.updatedAt });
    expect(answer?.headers.get('etag')).toBe(`"${before.version}"`);
  });

  it('SPEC §1 a stale If-Match is still a 412 when the body changes nothing', async () => {
    const contact = await created(api, '/contacts', { lastName: 'Rossi' }, rep);
    await api.patch(`/contacts/${contact.id}`, { lastName: 'Bianchi' }, as(rep));

    const answer = await api.patch(`/contacts/${contact.id}`, { lastName: 'Bianchi' }, { ...as(rep), headers: { 'if-match': '"1"' } });

    expect(answer.status).toBe(412);
  });

  it('SPEC §1 a change among repeated values is written once, with one new version', async () => {
    const contact = await created(api, '/contacts', { firstName: 'Ada', lastName: 'Byron' }, rep);

    const answer = await api.patch(`/contacts/${contact.id}`, { firstName: 'Ada', lastName: 'Lovelace' }, as(rep));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ version: contact.version + 1, lastName: 'Lovelace' });
  });
});
