import { afterEach, describe, expect, it, vi } from 'vitest';
import { notFound, conflict } from '../../shared/domain/errors.ts';
import { recordIdRules, runBulk, runBulkOnDistinctIds } from '../../shared/http/bulk.ts';
import { logger } from '../../shared/logger.ts';

/** Issue 10 item 1: the one bulk helper of R-OPP-6 and R-LEAD-6 bulk restores. */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => vi.restoreAllMocks());

describe('runBulk (issue 10 item 1, R-OPP-6, R-LEAD-6)', () => {
  it('answers one result per id in the order of the ids, whatever order they finish in', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const delays: Record<string, number> = { a: 30, b: 5, c: 20, d: 0 };
    const answer = await runBulk(ids, (id) => pause(delays[id]!), { label: 'thing', concurrency: 4 });
    expect(answer).toEqual({ results: ids.map((id) => ({ id, ok: true })) });
  });

  it('never runs more than `concurrency` ids at a time', async () => {
    let running = 0;
    let most = 0;
    const ids = Array.from({ length: 25 }, (_, at) => `id${at}`);
    await runBulk(
      ids,
      async () => {
        running++;
        most = Math.max(most, running);
        await pause(2);
        running--;
      },
      { label: 'thing', concurrency: 3 },
    );
    expect(most).toBe(3);
  });

  it('runs the ids of one lane one after the other, lanes side by side', async () => {
    const log: string[] = [];
    const lane = (id: string) => (id.startsWith('x') ? 'x' : id);
    await runBulk(
      ['x1', 'y', 'x2', 'x3'],
      async (id) => {
        log.push(`start ${id}`);
        await pause(id === 'x1' ? 20 : 1);
        log.push(`end ${id}`);
      },
      { label: 'thing', concurrency: 5, laneOf: lane },
    );
    const at = (entry: string) => log.indexOf(entry);
    expect(at('end x1')).toBeLessThan(at('start x2'));
    expect(at('end x2')).toBeLessThan(at('start x3'));
    // The other lane did not wait for x1.
    expect(at('start y')).toBeLessThan(at('end x1'));
  });

  it('maps each failure to the problem a single request would answer; a 500 is logged, and the others go on', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const answer = await runBulk(
      ['gone', 'busy', 'broken', 'fine'],
      async (id) => {
        if (id === 'gone') throw notFound('Opportunity');
        if (id === 'busy') throw conflict('not_closed', 'It is open');
        if (id === 'broken') throw new Error('boom');
      },
      { label: 'opportunity', concurrency: 2 },
    );
    const [gone, busy, broken, fine] = answer.results;
    expect(gone).toMatchObject({ id: 'gone', ok: false, error: { status: 404 } });
    expect(busy).toMatchObject({ id: 'busy', ok: false, error: { status: 409, code: 'not_closed' } });
    expect(broken).toMatchObject({ id: 'broken', ok: false, error: { status: 500 } });
    expect(fine).toEqual({ id: 'fine', ok: true });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![1]).toMatchObject({ id: 'broken' });
  });
});

describe('runBulkOnDistinctIds (R-OPP-6, R-LEAD-6 malformed and repeated ids)', () => {
  const A = '01J0000000000000000000000A';
  const B = '01J0000000000000000000000B';

  it('R-OPP-6 hands each well-formed id over once, in the order first sent; a malformed id gets the unknown id\'s 404 and a repeat its first result', async () => {
    const handed: (readonly string[])[] = [];
    const answer = await runBulkOnDistinctIds([A, 'nonsense', B, A, 'nonsense', B], recordIdRules('Opportunity'), async (distinct) => {
      handed.push(distinct);
      return runBulk(distinct, async (id) => {
        if (id === B) throw notFound('Opportunity');
      }, { label: 'thing', concurrency: 2 });
    });

    const unknown = { type: 'https://problems.pipeline-crm.dev/not_found', title: 'Not Found', status: 404, code: 'not_found', detail: 'Opportunity not found' };
    expect(handed).toEqual([[A, B]]);
    expect(answer.results).toEqual([
      { id: A, ok: true },
      { id: 'nonsense', ok: false, error: unknown },
      { id: B, ok: false, error: unknown },
      { id: A, ok: true },
      { id: 'nonsense', ok: false, error: unknown },
      { id: B, ok: false, error: unknown },
    ]);
  });

  it('R-LEAD-6 only malformed ids: nothing is handed over', async () => {
    const run = vi.fn();
    const answer = await runBulkOnDistinctIds(['x', 'x'], recordIdRules('Lead'), run);

    expect(run).not.toHaveBeenCalled();
    expect(answer.results.map((result) => [result.id, result.ok, result.error?.status, result.error?.detail])).toEqual([
      ['x', false, 404, 'Lead not found'],
      ['x', false, 404, 'Lead not found'],
    ]);
  });

  it('runBulk runs a repeated id once', async () => {
    const one = vi.fn(async () => undefined);
    const answer = await runBulk(['a', 'a', 'b'], one, { label: 'thing', concurrency: 2 });

    expect(one).toHaveBeenCalledTimes(2);
    expect(answer.results).toEqual([{ id: 'a', ok: true }, { id: 'a', ok: true }, { id: 'b', ok: true }]);
  });
});
