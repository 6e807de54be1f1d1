import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { measureRecapReads } from '../../bench/recap-reads.ts';
import { scheduledJobs } from '../../functions/jobs/job-table.ts';
import { handler, runRecap, type RecapReport } from '../../functions/jobs/recap.ts';
import { leadModel, recapReceiptKey } from '../../shared/db/keys.ts';
import { listLeadStatuses } from '../../shared/db/overdue-leads.ts';
import { createRecord } from '../../shared/db/store.ts';
import { newLeadFields } from '../../shared/domain/leads.ts';
import { localSesClient, sesMailer, type Mailer } from '../../shared/mail/mailer.ts';
import type { Lead, LeadStatus } from '../../shared/schemas/leads.ts';
import type { EmulatedEmail } from '../../local/ses-local.ts';
import type { LocalRuntimeOptions } from '../../local/runtime.ts';
import { TestApi } from '../support/api.ts';
import { testDatabase } from '../support/database.ts';

const ROME_RECAP = { hour: 8, timezone: 'Europe/Rome', enabled: true };
/** 08:00 in Rome on Tuesday 24 November 2026. */
const RECAP_TIME = '2026-11-24T07:00:00Z';

let api: TestApi;
afterEach(() => api?.stop());

/** A runtime with the recap at 08:00 Europe/Rome and the seeded admin's own recap off (only the test's users get mail). */
async function start(options: Partial<LocalRuntimeOptions> = {}) {
  api = await TestApi.start(options);
  const { body: settings } = await api.get('/settings/pipeline');
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = settings;
  expect((await api.put('/settings/pipeline', { ...document, recap: ROME_RECAP })).status).toBe(200);
  expect((await api.patch('/me/settings', { dailyRecap: false })).status).toBe(200);
  const statuses = await listLeadStatuses(api.runtime.ctx);
  const status = (name: string) => statuses.find((candidate) => candidate.name === name)!;
  return { open: status('Open'), attempting: status('Attempting contact'), working: status('Working') };
}

async function user(role: 'rep' | 'manager' | 'admin', settings: { locale?: 'it' | 'en' | 'es'; dailyRecap?: boolean } = {}) {
  const created = await api.createUser(role);
  if (settings.locale) expect((await api.patch(`/users/${created.id}`, { locale: settings.locale })).status).toBe(200);
  if (settings.dailyRecap === false) expect((await api.patch('/me/settings', { dailyRecap: false }, { token: created.token })).status).toBe(200);
  return created;
}

async function lead(owner: { id: string }, status: LeadStatus, name: string, statusEnteredAt: string): Promise<Lead> {
  const stamp = '2026-11-01T00:00:00.000Z';
  return createRecord(api.runtime.ctx, leadModel, {
    id: ulid(),
    version: 1,
    createdAt: stamp,
    updatedAt: stamp,
    ...newLeadFields({ name }, { ownerId: owner.id, statusId: status.id, customFields: {}, now: statusEnteredAt }),
  });
}

async function runByHand(body: { now?: string } = {}): Promise<RecapReport> {
  const answer = await api.post('/_local/run/recap', body, { token: null });
  expect(answer.status).toBe(200);
  return answer.body.report;
}

/** The mails the run's shared SES emulator received for these addresses (other test files send to theirs). */
async function mailsTo(...addresses: string[]): Promise<EmulatedEmail[]> {
  const inbox = await api.get('/_local/emails', { token: null });
  return (inbox.body.items as EmulatedEmail[]).filter((mail) => mail.to.some((to) => addresses.includes(to)));
}

const link = (leadId: string) => `${api.runtime.ctx.config.appUrl}/leads/${leadId}`;
const sorted = (ids: string[]) => [...ids].sort();

describe('R-REC-1 the morning recap', () => {
  it('R-REC-1 each user gets one mail of its overdue leads by status, in its locale; managers get the team totals', async () => {
    const { open, attempting, working } = await start();
    const maria = await user('rep', { locale: 'it' });
    const john = await user('rep');
    const idle = await user('rep');
    const quiet = await user('rep', { dailyRecap: false });
    const carmen = await user('manager', { locale: 'es' });
    const bianchi = await lead(maria, working, 'Bianchi SpA', '2026-11-14T09:00:00Z'); // due the 21st: 3 days
    const verdi = await lead(maria, open, 'Verdi & Figli', '2026-11-21T10:00:00Z'); // due the 23rd: 1 day
    await lead(maria, open, 'Fresh Srl', '2026-11-23T10:00:00Z'); // due the 25th
    const acme = await lead(john, attempting, 'Acme Corp', '2026-11-20T12:00:00Z'); // due the 23rd: 1 day
    await lead(idle, working, 'Not yet Ltd', '2026-11-20T12:00:00Z'); // due the 27th
    await lead(quiet, open, 'Quiet Co', '2026-11-01T12:00:00Z'); // overdue, its owner does not want mail

    const report = await runByHand({ now: RECAP_TIME });

    expect(report).toMatchObject({ day: '2026-11-24', outcome: 'done', failed: [] });
    expect(sorted(report.sent)).toEqual(sorted([maria.id, john.id, carmen.id]));
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { userId: idle.id, reason: 'nothing_to_tell' },
        { userId: quiet.id, reason: 'recap_off' },
      ]),
    );
    expect(await mailsTo(idle.email, quiet.email)).toEqual([]);

    const [toMaria, ...moreToMaria] = await mailsTo(maria.email);
    expect(moreToMaria).toEqual([]);
    expect(toMaria!.subject).toBe('Riepilogo del mattino: 2 lead scaduti');
    expect(toMaria!.text).toContain('martedì 24 novembre 2026');
    expect(toMaria!.text).toContain(`Open (1 lead)\n-------------\n- Verdi & Figli: scadenza 23 nov 2026, in ritardo di 1 giorno\n  ${link(verdi.id)}`);
    expect(toMaria!.text).toContain(`Working (1 lead)\n----------------\n- Bianchi SpA: scadenza 21 nov 2026, in ritardo di 3 giorni\n  ${link(bianchi.id)}`);
    expect(toMaria!.text).not.toContain('Fresh Srl');
    expect(toMaria!.text).not.toContain('Il tuo team');
    expect(toMaria!.html).toContain(`<a href="${link(bianchi.id)}"`);
    expect(toMaria!.html).toContain('Verdi &amp; Figli');

    const [toJohn] = await mailsTo(john.email);
    expect(toJohn!.subject).toBe('Morning recap: 1 overdue lead');
    expect(toJohn!.text).toContain(`- Acme Corp: due Nov 23, 2026, 1 day overdue\n  ${link(acme.id)}`);

    const [toCarmen, ...moreToCarmen] = await mailsTo(carmen.email);
    expect(moreToCarmen).toEqual([]);
    expect(toCarmen!.subject).toBe('Resumen matinal: tu equipo tiene 4 leads vencidos');
    expect(toCarmen!.text).toContain('Hoy ninguno de tus leads está vencido.');
    expect(toCarmen!.text).toContain('El equipo tiene 4 leads vencidos.\n- Open: 2\n- Attempting contact: 1\n- Working: 1\nTotal: 4');
    expect(toCarmen!.html).toContain('Tu equipo');
  });

  it('R-REC-1 nobody to tell: no mail at all', async () => {
    const { working } = await start();
    const rep = await user('rep');
    const manager = await user('manager');
    await lead(rep, working, 'Recent lead', '2026-11-23T12:00:00Z');

    const report = await runByHand({ now: RECAP_TIME });

    expect(report.sent).toEqual([]);
    expect(await mailsTo(rep.email, manager.email)).toEqual([]);
  });

  it('R-REC-1 the scheduled run sends only in the recap hour of the recap time zone', async () => {
    const { open } = await start();
    const rep = await user('rep');
    await lead(rep, open, 'Waiting Inc', '2026-11-01T12:00:00Z');

    const at11InRome = await runRecap(api.runtime.ctx, { now: new Date('2026-11-24T10:00:00Z'), trigger: 'schedule' });
    const at8InRome = await runRecap(api.runtime.ctx, { now: new Date(RECAP_TIME), trigger: 'schedule' });

    expect(at11InRome).toEqual({ day: '2026-11-24', outcome: 'not_recap_hour', sent: [], skipped: [], failed: [] });
    expect(at8InRome).toMatchObject({ day: '2026-11-24', outcome: 'done', sent: [rep.id] });
    expect(await mailsTo(rep.email)).toHaveLength(1);
  });

  it('R-REC-1 the Lambda handler runs the recap for the time the schedule was due, with the stack settings of its environment', async () => {
    const { open } = await start();
    const rep = await user('rep');
    const waiting = await lead(rep, open, 'Waiting Inc', '2026-11-01T12:00:00Z');
    const environment = {
      TABLE_NAME: api.runtime.ctx.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: testDatabase.endpoint,
      AWS_ENDPOINT_URL_SESV2: inject('sesEndpoint'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: testDatabase.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'local',
      CURSOR_SECRET: 'local-cursor-secret',
      MAIL_FROM: 'recap@acme.example',
      APP_URL: 'https://crm.acme.example',
    };
    const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    const context = { functionName: 'recap', awsRequestId: ulid(), invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:recap' } as Context;
    try {
      const notYet = await handler({ scheduledTime: '2026-11-24T10:00:00Z' }, context);
      const due = await handler({ scheduledTime: RECAP_TIME }, context);

      expect(notYet).toMatchObject({ outcome: 'not_recap_hour', sent: [] });
      expect(due).toMatchObject({ day: '2026-11-24', outcome: 'done', sent: [rep.id], failed: [] });
      const [mail] = await mailsTo(rep.email);
      expect(mail!.text).toContain(`https://crm.acme.example/leads/${waiting.id}`);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('R-REC-3 sending each recap once, despite failures', () => {
  it('R-REC-1 R-REC-3 a recap time zone changed after the day\'s run still gets its own morning of that date: once, not skipped', async () => {
    const { open } = await start();
    const rep = await user('rep');
    await lead(rep, open, 'Across the date line', '2026-11-01T12:00:00Z');
    const setZone = async (timezone: string) => {
      const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = (await api.get('/settings/pipeline')).body;
      expect((await api.put('/settings/pipeline', { ...document, recap: { ...ROME_RECAP, timezone } })).status).toBe(200);
    };

    await setZone('Pacific/Auckland');
    const auckland = await runByHand({ now: '2026-12-07T19:00:00Z' }); // 08:00 on 8 December in Auckland
    await setZone('America/Los_Angeles');
    const losAngeles = await runByHand({ now: '2026-12-08T16:00:00Z' }); // 08:00 on 8 December in Los Angeles
    const again = await runByHand({ now: '2026-12-08T17:00:00Z' });

    expect(auckland).toMatchObject({ day: '2026-12-08', sent: [rep.id] });
    expect(losAngeles).toMatchObject({ day: '2026-12-08', sent: [rep.id] });
    expect(again.sent).toEqual([]);
    expect(again.skipped).toContainEqual({ userId: rep.id, reason: 'already_sent' });
  });

  it('R-REC-3 a second run the same day sends nothing twice; the receipt expires after a week; the next day sends again', async () => {
    const { open } = await start();
    const rep = await user('rep');
    await lead(rep, open, 'Waiting Inc', '2026-11-01T12:00:00Z');

    const first = await runByHand({ now: RECAP_TIME });
    const second = await runByHand({ now: '2026-11-24T16:00:00Z' });
    const { Item: receipt } = await api.runtime.ctx.db.send(
      new GetCommand({ TableName: api.runtime.ctx.tableName, Key: recapReceiptKey('2026-11-24', ROME_RECAP.timezone, rep.id) }),
    );
    const nextDay = await runByHand({ now: '2026-11-25T07:00:00Z' });

    expect(first.sent).toEqual([rep.id]);
    expect(second).toMatchObject({ day: '2026-11-24', sent: [], failed: [] });
    expect(second.skipped).toContainEqual({ userId: rep.id, reason: 'already_sent' });
    expect(receipt).toMatchObject({ state: 'sent', expiresAt: Date.parse(RECAP_TIME) / 1000 + 7 * 24 * 3600 });
    expect(nextDay).toMatchObject({ day: '2026-11-25', sent: [rep.id] });
    expect((await mailsTo(rep.email)).map((mail) => mail.subject)).toEqual(['Morning recap: 1 overdue lead', 'Morning recap: 1 overdue lead']);
  });

  it('R-REC-3 a claim of a run still sending is respected; one left by a run that died is taken over', async () => {
    const { open } = await start();
    const [busy, orphaned] = [await user('rep'), await user('rep')];
    for (const owner of [busy, orphaned]) await lead(owner, open, `Lead of ${owner.email}`, '2026-11-01T12:00:00Z');
    const claim = (userId: string, claimedAt: string) =>
      api.runtime.ctx.db.send(
        new PutCommand({
          TableName: api.runtime.ctx.tableName,
          Item: { ...recapReceiptKey('2026-11-24', ROME_RECAP.timezone, userId), state: 'sending', claimId: ulid(), claimedAt, expiresAt: Date.parse(claimedAt) / 1000 + 3600 },
        }),
      );
    await claim(busy.id, '2026-11-24T06:59:00.000Z'); // a minute ago: another run is sending it
    await claim(orphaned.id, '2026-11-24T06:30:00.000Z'); // half an hour ago: longer than any run lives

    const report = await runByHand({ now: RECAP_TIME });

    expect(report.sent).toEqual([orphaned.id]);
    expect(report.skipped).toContainEqual({ userId: busy.id, reason: 'being_sent' });
    expect(await mailsTo(busy.email)).toEqual([]);
    expect(await mailsTo(orphaned.email)).toHaveLength(1);
  });

  it('Issue 13 item 6: a claim left by a crashed run is judged by the clock, not by the scheduled time a Lambda retry reuses', async () => {
    const { open } = await start();
    const owner = await user('rep');
    await lead(owner, open, 'Lead of a crashed run', '2026-11-01T12:00:00Z');
    // The scheduled run of 07:00 claimed the receipt at 07:01 and died; Lambda retries it at 07:20 with the same scheduled time.
    await api.runtime.ctx.db.send(
      new PutCommand({
        TableName: api.runtime.ctx.tableName,
        Item: { ...recapReceiptKey('2026-11-24', ROME_RECAP.timezone, owner.id), state: 'sending', claimId: ulid(), claimedAt: '2026-11-24T07:01:00.000Z', expiresAt: 1_900_000_000 },
      }),
    );
    const retriedAt = { ...api.runtime.ctx, now: () => new Date('2026-11-24T07:20:00Z') };

    const report = await runRecap(retriedAt, { now: new Date(RECAP_TIME), trigger: 'schedule' });

    expect(report.sent).toEqual([owner.id]);
    expect(await mailsTo(owner.email)).toHaveLength(1);
  });

  it('R-REC-3 a failing recipient is retried and reported, the others still get theirs, and a later run sends it', async () => {
    const real = sesMailer('crm@example.com', await localSesClient(inject('sesEndpoint')));
    const attempts = new Map<string, number>();
    let refused: string | undefined;
    const mailer: Mailer = {
      async send(mail) {
        attempts.set(mail.to, (attempts.get(mail.to) ?? 0) + 1);
        if (mail.to === refused) throw new Error('Mailbox unavailable');
        await real.send(mail);
      },
    };
    const { open } = await start({ context: { mailer } });
    const [first, unlucky, last] = [await user('rep'), await user('rep'), await user('rep')];
    for (const owner of [first, unlucky, last]) await lead(owner, open, `Lead of ${owner.email}`, '2026-11-01T12:00:00Z');
    refused = unlucky.email;

    const failing = await runRecap(api.runtime.ctx, { now: new Date(RECAP_TIME), retry: { attempts: 3, backoffMs: 1 } });
    refused = undefined;
    const later = await runByHand({ now: '2026-11-24T09:30:00Z' });

    expect(sorted(failing.sent)).toEqual(sorted([first.id, last.id]));
    expect(failing.failed).toEqual([{ userId: unlucky.id, error: 'Mailbox unavailable' }]);
    expect(attempts.get(unlucky.email)).toBe(3 + 1);
    expect(attempts.get(first.email)).toBe(1);
    expect(later.sent).toEqual([unlucky.id]);
    expect(later.skipped).toEqual(expect.arrayContaining([{ userId: first.id, reason: 'already_sent' }, { userId: last.id, reason: 'already_sent' }]));
    expect(await mailsTo(first.email, unlucky.email, last.email)).toHaveLength(3);
  });

  it('Issue 13 item 11: every recap send (retries included) waits for a slot of the SES send rate', async () => {
    const { open } = await start();
    const reps = [await user('rep'), await user('rep'), await user('rep')];
    for (const owner of reps) await lead(owner, open, `Paced lead of ${owner.email}`, '2026-11-01T12:00:00Z');
    let slots = 0;

    const report = await runRecap(api.runtime.ctx, { now: new Date(RECAP_TIME), sendRate: { acquire: async () => void slots++ } });

    expect(report.sent.length).toBeGreaterThanOrEqual(3);
    expect(slots).toBe(report.sent.length);
  });

  it('R-REC-3 a run by hand works for the day of its now, whatever the hour, and honours a disabled recap', async () => {
    const { working } = await start();
    const rep = await user('rep');
    await lead(rep, working, 'Slow Deal', '2026-11-10T12:00:00Z'); // due the 17th

    const afternoon = await runByHand({ now: '2026-11-24T15:00:00Z' });
    const lateEvening = await runByHand({ now: '2026-11-25T23:30:00Z' }); // already the 26th in Rome
    const { body: settings } = await api.get('/settings/pipeline');
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = settings;
    await api.put('/settings/pipeline', { ...document, recap: { ...ROME_RECAP, enabled: false } });
    const disabled = await runByHand({ now: '2026-11-27T07:00:00Z' });
    const badClock = await api.post('/_local/run/recap', { now: 'tomorrow' }, { token: null });

    expect(afternoon).toMatchObject({ day: '2026-11-24', sent: [rep.id] });
    expect(lateEvening).toMatchObject({ day: '2026-11-26', sent: [rep.id] });
    expect(disabled).toEqual({ day: '2026-11-27', outcome: 'disabled', sent: [], skipped: [], failed: [] });
    expect(badClock.status).toBe(400);
    expect(badClock.body.errors).toEqual([{ path: 'now', message: expect.any(String) }]);
    expect((await mailsTo(rep.email)).map((mail) => mail.text?.match(/Slow Deal: .*/)?.[0])).toEqual([
      'Slow Deal: due Nov 17, 2026, 7 days overdue',
      'Slow Deal: due Nov 17, 2026, 9 days overdue',
    ]);
  });
});

describe('R-REC-2 the recap reads only overdue leads', () => {
  it('R-REC-2 its DynamoDB reads are the same with 50 overdue leads among 100 and among 5,000 leads', async () => {
    await start();

    const [small, large] = await measureRecapReads(api.runtime.ctx, { leadCounts: [100, 5_000], overdueLeads: 50, now: new Date(RECAP_TIME) });

    expect(small!.leads).toBe(100);
    expect(large!.leads).toBe(5_000);
    expect(small!.readUnits).toBeGreaterThan(0);
    expect(large!.readUnits).toBe(small!.readUnits);
    expect(large!.readCalls).toBe(small!.readCalls);
    expect(large!.report.sent).toEqual(small!.report.sent);
    const owner = (await api.get(`/users/${small!.report.sent[0]}`)).body;
    // One run a day (bench/recap-reads.ts): one mail each.
    expect((await mailsTo(owner.email)).map((mail) => mail.subject)).toEqual(['Morning recap: 50 overdue leads', 'Morning recap: 50 overdue leads']);
    // Writing 5,000 leads takes a while when another test file shares DynamoDB Local: this counts reads, not time.
  }, 300_000);
});

describe('SPEC §11 the recap function is granted what it calls', () => {
  it('SPEC §11 every DynamoDB call of a recap run is an action the job table grants (on the table or a granted index)', async () => {
    const { open } = await start();
    const rep = await user('rep');
    await lead(rep, open, 'Waiting Inc', '2026-11-01T12:00:00Z');
    const calls = new Set<string>();
    api.runtime.ctx.db.middlewareStack.add(
      (next, context) => async (args) => {
        const action = context.commandName?.replace(/Command$/, '') ?? 'unknown';
        const index = (args.input as { IndexName?: string }).IndexName;
        calls.add(index ? `${action} ${index}` : action);
        return next(args);
      },
      { step: 'initialize', name: 'record-calls' },
    );

    await runByHand({ now: RECAP_TIME }); // claims, sends, marks sent
    await runByHand({ now: RECAP_TIME }); // finds the claim taken

    const [recap] = scheduledJobs;
    const granted = new Set([...recap!.access.items, ...recap!.access.queryIndexes.map((index) => `Query ${index}`)]);
    const asIam = (call: string) => call.replace(/^(Get|Put|Update|Delete|BatchGet)\b/, '$1Item');
    expect([...calls].map(asIam).filter((call) => !granted.has(call))).toEqual([]);
    expect([...calls].map(asIam)).toEqual(expect.arrayContaining(['GetItem', 'PutItem', 'UpdateItem', 'Query GSI1', 'Query GSI4']));
  });
});
