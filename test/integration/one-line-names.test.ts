import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { expectNothingWritten, newContact, pathsOf } from '../support/fixtures.ts';

/**
 * Issue 13 item 9: names and titles are one line. Control characters (line breaks, tabs, escapes) become a space
 * on input, so a lead named "Acme\nhttps://…" cannot add a line of its own to a plain-text recap; a name made only
 * of them is empty, so refused like an empty one.
 */

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api?.stop());

const INJECTED = 'Acme\r\n\tVerify your account: https://evil.example\u2028';

describe('Issue 13 item 9 names on one line', () => {
  it.each([
    ['/leads', 'name', () => ({ name: INJECTED })],
    ['/contacts', 'lastName', () => ({ lastName: INJECTED })],
    ['/companies', 'name', () => ({ name: INJECTED })],
    ['/users', 'name', () => ({ name: INJECTED, email: `n${Date.now()}@example.com`, role: 'rep' })],
    ['/stages', 'name', () => ({ name: INJECTED, order: 77, probability: 10 })],
  ])('R-LEAD-2 / R-CON-1 / R-CFG-5 POST %s keeps %s on one line', async (path, field, body) => {
    const answer = await api.post(path, body());

    expect(answer.status).toBe(201);
    expect(answer.body[field]).toBe('Acme Verify your account: https://evil.example');
  });

  it('R-OPP-1 an opportunity title on one line', async () => {
    const answer = await api.post('/opportunities', { title: `Deal\n\nSecond line`, contactId: await newContact(api) });

    expect(answer.status).toBe(201);
    expect(answer.body.title).toBe('Deal Second line');
  });

  it('SPEC §1 a name made only of control characters is a 400 on that field, and nothing is written', async () => {
    await expectNothingWritten(api, async () => {
      const lead = await api.post('/leads', { name: '\n\r\t\u0007' });
      const contact = await api.post('/contacts', { firstName: '\u0000', lastName: 'Rossi' });

      expect([lead.status, contact.status]).toEqual([400, 400]);
      expect(pathsOf(lead)).toEqual(['name']);
      expect(pathsOf(contact)).toEqual(['firstName']);
    });
  });
});
