import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, expectNothingWritten, newOpportunity } from '../support/fixtures.ts';

/**
 * R-OPP-6 and R-LEAD-6 bulk restore: the body is strict (1 to 100 bounded strings), but what each id names is
 * answered per id: a malformed id is a 404 result like an unknown one, and a repeated id is restored once, each of
 * its places in the results carrying the first occurrence's outcome.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
});
afterAll(() => api?.stop());

interface BulkItem {
  id: string;
  ok: boolean;
  error?: { status: number; code: string; [field: string]: unknown };
}

const summary = (answer: { body: { results: BulkItem[] } }) => answer.body.results.map((item) => [item.id, item.ok, item.error?.status, item.error?.code]);
const paths = (answer: { body: { errors?: { path: string }[] } }) => (answer.body.errors ?? []).map((error) => error.path).sort();

async function lostOpportunity(caller: Caller, body: Record<string, unknown> = {}): Promise<Opportunity> {
  const created = await newOpportunity(api, caller, body);
  const answer = await api.post(`/opportunities/${created.id}/lost`, {}, as(caller));
  if (answer.status !== 200) throw new Error(`lost: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function lostLead(caller: Caller, name = 'Bulk lead'): Promise<{ id: string }> {
  const created = await api.post('/leads', { name }, as(caller));
  if (created.status !== 201) throw new Error(`lead: ${created.status} ${JSON.stringify(created.body)}`);
  const lost = await api.post(`/leads/${created.body.id}/lost`, {}, as(caller));
  if (lost.status !== 200) throw new Error(`lead lost: ${lost.status} ${JSON.stringify(lost.body)}`);
  return created.body;
}

const restoredEntries = async (path: string, caller: Caller) =>
  ((await api.get(`${path}/history?limit=100`, as(caller))).body.items as { kind: string }[]).filter((entry) => entry.kind === 'restored').length;

/** Bodies the schema refuses (around the id of a lost record, which stays lost), and the paths its 400 names. */
const refusedBodies = [
  ['no ids', () => ({ ids: [] }), ['ids']],
  ['101 ids', (id: string) => ({ ids: [id, ...Array.from({ length: 100 }, () => ulid())] }), ['ids']],
  ['a non-string id', (id: string) => ({ ids: [id, 5] }), ['ids.1']],
  ['an empty id', (id: string) => ({ ids: [id, ''] }), ['ids.1']],
  ['an id over 100 characters', (id: string) => ({ ids: [id, 'x'.repeat(101)] }), ['ids.1']],
  ['ids that are not an array', (id: string) => ({ ids: id }), ['ids']],
  ['an unknown field', (id: string) => ({ ids: [id], force: true }), ['force']],
] as const;

describe.each([
  { requirement: 'R-OPP-6', path: '/opportunities', lost: (caller: Caller) => lostOpportunity(caller), isRestored: (body: { status: string }) => body.status === 'open' },
  { requirement: 'R-LEAD-6', path: '/leads', lost: (caller: Caller) => lostLead(caller), isRestored: (body: { lost: boolean }) => body.lost === false },
] as const)('$requirement bulk restore ids', ({ requirement, path, lost, isRestored }) => {
  const restoreMany = (ids: unknown, caller: Caller = rep) => api.post(`${path}/restore`, { ids }, as(caller));
  const read = async (id: string, caller: Caller = rep) => (await api.get(`${path}/${id}`, as(caller))).body;

  it(`${requirement} one malformed id in a bulk restore is a 404 result of its own (the unknown id's problem); the others are restored`, async () => {
    const [first, second] = await Promise.all([lost(rep), lost(rep)]);
    const unknown = ulid();

    const answer = await restoreMany([first.id, 'nonsense', unknown, second.id]);

    expect(answer.status).toBe(200);
    expect(summary(answer)).toEqual([
      [first.id, true, undefined, undefined],
      ['nonsense', false, 404, 'not_found'],
      [unknown, false, 404, 'not_found'],
      [second.id, true, undefined, undefined],
    ]);
    expect(answer.body.results[1].error).toEqual(answer.body.results[2].error);
    expect(isRestored(await read(first.id))).toBe(true);
    expect(isRestored(await read(second.id))).toBe(true);
  });

  it(`${requirement} an id that is not exactly a ULID (lowercase, padded, 100 characters) is a 404 result and restores nothing`, async () => {
    const record = await lost(rep);
    const malformed = [record.id.toLowerCase(), ` ${record.id}`, `${record.id}x`, 'y'.repeat(100)];

    await expectNothingWritten(api, async () => {
      const answer = await restoreMany(malformed);

      expect(answer.status).toBe(200);
      expect(summary(answer)).toEqual(malformed.map((id) => [id, false, 404, 'not_found']));
    });
    expect(isRestored(await read(record.id))).toBe(false);
  });

  it(`${requirement} a repeated id in a bulk restore is restored once; every repeat gets its first occurrence's result, in the order sent`, async () => {
    const [first, second] = await Promise.all([lost(rep), lost(rep)]);
    const othersLost = await lost(otherRep);

    const answer = await restoreMany([first.id, othersLost.id, first.id, 'nonsense', second.id, othersLost.id, 'nonsense', first.id]);

    expect(answer.status).toBe(200);
    expect(summary(answer)).toEqual([
      [first.id, true, undefined, undefined],
      [othersLost.id, false, 404, 'not_found'],
      [first.id, true, undefined, undefined],
      ['nonsense', false, 404, 'not_found'],
      [second.id, true, undefined, undefined],
      [othersLost.id, false, 404, 'not_found'],
      ['nonsense', false, 404, 'not_found'],
      [first.id, true, undefined, undefined],
    ]);
    expect(await restoredEntries(`${path}/${first.id}`, rep)).toBe(1);
    expect(await restoredEntries(`${path}/${second.id}`, rep)).toBe(1);
    expect(isRestored(await read(othersLost.id, otherRep))).toBe(false);
  });

  it(`${requirement} 100 copies of one id restore it once and answer 100 results`, async () => {
    const record = await lost(rep);

    const answer = await restoreMany(Array.from({ length: 100 }, () => record.id));

    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual(Array.from({ length: 100 }, () => ({ id: record.id, ok: true })));
    expect(await restoredEntries(`${path}/${record.id}`, rep)).toBe(1);
  });

  it(`${requirement} a repeated id that cannot be restored (not closed) gets the same 409 at each place`, async () => {
    const record = await lost(rep);
    await api.post(`${path}/${record.id}/restore`, undefined, as(rep));

    await expectNothingWritten(api, async () => {
      const answer = await restoreMany([record.id, record.id]);

      expect(answer.status).toBe(200);
      expect(answer.body.results[0]).toMatchObject({ id: record.id, ok: false, error: { status: 409 } });
      expect(answer.body.results[1]).toEqual(answer.body.results[0]);
    });
  });

  it.each(refusedBodies)(`${requirement} a bulk restore with %s is still a 400 that writes nothing`, async (_, body, invalid) => {
    const record = await lost(rep);

    await expectNothingWritten(api, async () => {
      const answer = await api.post(`${path}/restore`, body(record.id), as(rep));

      expect(answer.status).toBe(400);
      expect(paths(answer)).toEqual(invalid);
    });
    expect(isRestored(await read(record.id))).toBe(false);
  });
});
