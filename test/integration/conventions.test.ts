import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start({ corsOrigins: ['https://app.example.com'] });
});
afterAll(() => api?.stop());

describe('SPEC §1 idempotency', () => {
  it('SPEC §1 the same Idempotency-Key and body replays the first answer and creates nothing more', async () => {
    const body = { email: 'idem@example.com', name: 'Idem', role: 'rep' };
    const headers = { 'idempotency-key': 'create-idem-1' };

    const first = await api.post('/users', body, { headers });
    const snapshot = await api.tableSnapshot();
    const replay = await api.post('/users', body, { headers });

    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await api.tableSnapshot()).toEqual(snapshot);
  });

  it('Issue 13 item 3: an Idempotency-Key over 255 characters, or with spaces or control characters, is a 400 that writes nothing', async () => {
    const before = await api.tableSnapshot();

    const answers = [
      await api.post('/contacts', { lastName: 'Long' }, { headers: { 'idempotency-key': 'k'.repeat(256) } }),
      await api.post('/contacts', { lastName: 'Spaced' }, { headers: { 'idempotency-key': 'two words' } }),
    ];
    const after = await api.tableSnapshot();
    const atLimit = await api.post('/contacts', { lastName: 'Fits' }, { headers: { 'idempotency-key': 'k'.repeat(255) } });

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'invalid_idempotency_key', errors: [{ path: 'header.idempotency-key' }] });
    }
    expect(after).toEqual(before);
    expect(atLimit.status).toBe(201);
  });

  it('SPEC §1 an empty Idempotency-Key is a 400 like any other key out of the rule, not a request without one, and writes nothing', async () => {
    const before = await api.tableSnapshot();

    const empty = await api.post('/contacts', { lastName: 'Keyless' }, { headers: { 'idempotency-key': '' } });

    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'invalid_idempotency_key', errors: [{ path: 'header.idempotency-key' }] });
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('SPEC §1 the same key with another body is a 409', async () => {
    const headers = { 'idempotency-key': 'create-idem-2' };
    await api.post('/users', { email: 'idem2@example.com', name: 'Idem', role: 'rep' }, { headers });

    const other = await api.post('/users', { email: 'idem3@example.com', name: 'Idem', role: 'rep' }, { headers });

    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('SPEC §1 keys are scoped to the calling user', async () => {
    const other = await api.createUser('admin');
    const headers = { 'idempotency-key': 'shared-key' };

    const mine = await api.post('/users', { email: 'scoped1@example.com', name: 'A', role: 'rep' }, { headers });
    const theirs = await api.post('/users', { email: 'scoped2@example.com', name: 'B', role: 'rep' }, { headers, token: other.token });

    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('SPEC §1 a refused request does not burn its key', async () => {
    const headers = { 'idempotency-key': 'retry-after-fix' };

    const refused = await api.post('/users', { email: 'admin@example.com', name: 'Dup', role: 'rep' }, { headers });
    const fixed = await api.post('/users', { email: 'admin@example.com', name: 'Dup', role: 'rep' }, { headers });

    expect(refused.status).toBe(409);
    expect(fixed.body.code).toBe('duplicate_email');
  });
});

describe('SPEC §1 concurrency', () => {
  it('SPEC §1 ten concurrent writers with the same If-Match: exactly one wins, the others get 412', async () => {
    const rep = await api.createUser('rep');

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) => api.patch(`/users/${rep.id}`, { name: `Writer ${index}` }, { headers: { 'if-match': '"1"' } })),
    );
    const final = await api.get(`/users/${rep.id}`);

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 412)).toHaveLength(9);
    expect(final.body.version).toBe(2);
  });

  it('SPEC §1 If-Match compares strongly: a weak tag (W/"1") matches no version and is a 412 that writes nothing', async () => {
    const rep = await api.createUser('rep');

    const weak = await api.patch(`/users/${rep.id}`, { name: 'Weakly matched' }, { headers: { 'if-match': 'W/"1"' } });
    const strong = await api.patch(`/users/${rep.id}`, { name: 'Strongly matched' }, { headers: { 'if-match': '"1"' } });

    expect(weak.status).toBe(412);
    expect(strong.status).toBe(200);
    expect(strong.body).toMatchObject({ name: 'Strongly matched', version: 2 });
  });

  it('SPEC §1 If-Match with an unbalanced quote ("1) matches no version (412); a bare 1 still names version 1', async () => {
    const rep = await api.createUser('rep');

    const unbalanced = await api.patch(`/users/${rep.id}`, { name: 'Half quoted' }, { headers: { 'if-match': '"1' } });
    const bare = await api.patch(`/users/${rep.id}`, { name: 'Bare' }, { headers: { 'if-match': '1' } });

    expect(unbalanced.status).toBe(412);
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ name: 'Bare', version: 2 });
  });

  it('SPEC §1 concurrent writers without If-Match are each applied on the state they read (no lost update)', async () => {
    const rep = await api.createUser('rep');

    const answers = await Promise.all(
      // Three values, each new to the record whatever the order (a write of the stored value changes nothing).
      ['Ann', 'Bea', 'Cal'].map((name) => api.patch(`/users/${rep.id}`, { name })),
    );
    const final = await api.get(`/users/${rep.id}`);

    const applied = answers.filter((answer) => answer.status === 200);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect(final.body.version).toBe(1 + applied.length);
  });
});

describe('SPEC §1 CORS for web clients', () => {
  it('SPEC §1 a preflight from an allowed origin is answered with the shared policy', async () => {
    const answer = await api.request('OPTIONS', '/users', {
      token: null,
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });

    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('SPEC §1 a web page can read the headers it acts on: ETag (If-Match), Idempotent-Replayed and Retry-After (429, 503)', async () => {
    const answer = await api.get('/me', { headers: { origin: 'https://app.example.com' } });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-expose-headers')?.split(',')).toEqual(expect.arrayContaining(['etag', 'idempotent-replayed', 'retry-after']));
  });

  it('SPEC §1 a refused token is a 401 a web page can read: it carries the CORS headers of its origin', async () => {
    const answer = await api.get('/users', { token: 'not.a.token', headers: { origin: 'https://app.example.com' } });

    expect(answer.status).toBe(401);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('SPEC §1 an unknown origin gets no CORS headers', async () => {
    const answer = await api.get('/users', { headers: { origin: 'https://evil.example.com' } });

    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('SPEC §1 throttling', () => {
  it('SPEC §1 a burst on a public route beyond its limit is answered 429 problem+json', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => api.get('/openapi.json', { token: null })));

    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]!.headers.get('content-type')).toBe('application/problem+json');
    expect(throttled[0]!.body.code).toBe('throttled');
  });
});

describe('SPEC §11 LOCAL_THROTTLE for load tests', () => {
  it('SPEC §11 a runtime started with a rate/burst of 1/3 answers 429 past 3 quick calls; one started with throttling off answers all', async () => {
    const [tight, open] = await Promise.all([TestApi.start({ throttle: { ratePerSecond: 1, burst: 3 } }), TestApi.start({ throttle: false })]);
    try {
      const tightAnswers = await Promise.all(Array.from({ length: 6 }, () => tight.get('/me')));
      const openAnswers = await Promise.all(Array.from({ length: 60 }, () => open.get('/openapi.json', { token: null })));

      expect(tightAnswers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(3);
      expect(openAnswers.every((answer) => answer.status === 200)).toBe(true);
    } finally {
      await Promise.all([tight.stop(), open.stop()]);
    }
  });
});

describe('SPEC §1 list pages', () => {
  it('SPEC §1 limit is 1..100 in digits, 50 by default; any other limit (0x10, 1e1, a space) is a 400 on query.limit saying so, and a valid one bounds the page', async () => {
    await Promise.all(['Ann', 'Bea', 'Cal'].map((firstName) => api.post('/contacts', { firstName })));

    const wrong = await Promise.all(['0', '101', 'abc', '1.5', '', '1,2', '0x10', '1e1', '%201'].map((limit) => api.get(`/contacts?limit=${limit}`)));
    const page = await api.get('/contacts?limit=2');

    for (const answer of wrong) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ path: 'query.limit', message: 'An integer from 1 to 100' }]);
    }
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });
});

/** Sends `head` as the raw bytes of a request (what a client that does not percent-encode sends) and reads the answer. */
function rawExchange(url: string, head: Buffer): Promise<{ status: number; contentType: string | undefined; body: unknown }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.end(head));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [headers = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]),
        contentType: /^content-type: (.+)$/im.exec(headers)?.[1],
        body: body === '' ? undefined : JSON.parse(body),
      });
    });
  });
}

describe('SPEC §1 requests the local server cannot parse', () => {
  it('SPEC §1 raw non-ASCII bytes in the URL are a 400 problem+json asking to percent-encode them, and oversized headers a 431', async () => {
    const head = (line: Buffer, headers: string) => Buffer.concat([line, Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${api.adminToken}\r\n${headers}\r\n`)]);

    const unencoded = await rawExchange(api.url, head(Buffer.concat([Buffer.from('GET /contacts?q=jos'), Buffer.from('é', 'utf8')]), ''));
    const oversized = await rawExchange(api.url, head(Buffer.from('GET /contacts'), `X-Padding: ${'a'.repeat(20_000)}\r\n`));
    const encoded = await api.get(`/contacts?q=${encodeURIComponent('josé')}`);

    expect(unencoded).toMatchObject({ status: 400, contentType: 'application/problem+json', body: { status: 400, code: 'malformed_request' } });
    expect((unencoded.body as { detail: string }).detail).toMatch(/percent-encode/);
    expect(oversized).toMatchObject({ status: 431, contentType: 'application/problem+json', body: { status: 431, code: 'headers_too_large' } });
    expect(encoded.status).toBe(200);
  });
});

describe('SPEC §1 query strings and paths', () => {
  it('SPEC §1 a route that takes no query parameter refuses one (400 naming query.<name>) and writes nothing; public addresses tolerate added ones', async () => {
    const contact = await api.post('/contacts', { lastName: 'Queried' });
    const before = await api.tableSnapshot();

    const answers = [
      await api.get(`/settings/pipeline?bogus=1`),
      await api.post('/companies?bogus=1', { name: 'Not created' }),
      await api.patch(`/contacts/${contact.body.id}?ownerId=x`, { lastName: 'Not renamed' }),
    ];
    const after = await api.tableSnapshot();
    const document = await api.get('/openapi.json?utm_source=newsletter', { token: null });

    expect(answers.map((answer) => [answer.status, answer.body.errors])).toEqual([
      [400, [{ path: 'query.bogus', message: 'Unknown field' }]],
      [400, [{ path: 'query.bogus', message: 'Unknown field' }]],
      [400, [{ path: 'query.ownerId', message: 'Unknown field' }]],
    ]);
    expect(after).toEqual(before);
    expect(document.status).toBe(200);
  });

  it('SPEC §1 a path that is not valid percent-encoding (%ZZ, a cut UTF-8 sequence) is a 400 malformed_request, never a 500', async () => {
    const answers = await Promise.all(['/contacts/%ZZ', '/contacts/%E0%A4%A', '/opportunities/%C3/history'].map((path) => api.get(path)));

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'malformed_request' });
    }
  });
});

describe('SPEC §1 bodies are JSON in UTF-8', () => {
  it('SPEC §1 a body that is not UTF-8 (Latin-1 "Björn") is a 400 malformed_json, another declared charset a 415; neither writes anything', async () => {
    const before = await api.tableSnapshot();
    const send = (body: Buffer, contentType: string) =>
      fetch(`${api.url}/contacts`, { method: 'POST', headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': contentType }, body });

    const latin1 = await send(Buffer.from('{"firstName":"Bj\xf6rn","lastName":"X"}', 'latin1'), 'application/json');
    const declared = await send(Buffer.from('{"firstName":"Bj\xf6rn","lastName":"X"}', 'latin1'), 'application/json; charset=latin1');
    const after = await api.tableSnapshot();
    const utf8 = await send(Buffer.from('{"firstName":"Björn","lastName":"X"}', 'utf8'), 'application/json; charset=utf-8');

    expect(latin1.status).toBe(400);
    expect(await latin1.json()).toMatchObject({ code: 'malformed_json', detail: expect.stringMatching(/UTF-8/) });
    expect(declared.status).toBe(415);
    expect(after).toEqual(before);
    expect(utf8.status).toBe(201);
    expect(await utf8.json()).toMatchObject({ firstName: 'Björn' });
  });
});
