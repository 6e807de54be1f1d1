import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

/**
 * SPEC §10, issue 13 item 11: the `/_local` routes (tokens for any user, jobs, the inbox) answer only requests whose
 * `Host` is a loopback name, so a web page cannot reach them through a name it points at 127.0.0.1 (DNS rebinding).
 */

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api?.stop());

/** A request with the Host header set by hand (fetch does not let a caller set it). */
function withHost(host: string, path: string, body: unknown): Promise<{ status: number; body: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { host, 'content-type': 'application/json' } }, (answer) => {
      let text = '';
      answer.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('SPEC §10 /_local routes answer loopback hosts only', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:3000', 'localhost:8080', '[::1]:3000'])('SPEC §10 Host %s gets a token', async (host) => {
    const answer = await withHost(host, '/_local/token', { email: 'admin@example.com' });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).token).toEqual(expect.any(String));
  });

  it.each(['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil.example'])('SPEC §10 Host %s is a 403 problem', async (host) => {
    const answer = await withHost(host, '/_local/token', { email: 'admin@example.com' });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 403, code: 'forbidden' });
    expect(answer.body).not.toContain('token":');
  });
});
