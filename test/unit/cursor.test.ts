import { describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../shared/http/cursor.ts';

const codec = createCursorCodec(async () => 'test-secret');
const lastKey = { PK: 'CONTACT#01', SK: 'CONTACT', GSI1PK: 'CONTACTS', GSI1SK: '01' };

describe('SPEC §1 signed list cursors', () => {
  it('SPEC §1 a cursor decodes back to the key it was made from', async () => {
    const cursor = await codec.encode(lastKey, 'scope-a');

    expect(await codec.decode(cursor, 'scope-a')).toEqual(lastKey);
  });

  it('SPEC §1 a cursor edited by hand is refused with a 400', async () => {
    const cursor = await codec.encode(lastKey, 'scope-a');
    const [payload, signature] = cursor.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ k: { ...lastKey, PK: 'CONTACT#99' }, s: 'scope-a' })).toString('base64url');

    await expect(codec.decode(`${forgedPayload}.${signature}`, 'scope-a')).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
    await expect(codec.decode(`${payload}`, 'scope-a')).rejects.toMatchObject({ status: 400 });
    await expect(codec.decode('garbage', 'scope-a')).rejects.toMatchObject({ status: 400 });
  });

  it('SPEC §1 a cursor of one listing cannot be replayed on another', async () => {
    const cursor = await codec.encode(lastKey, 'scope-a');

    await expect(codec.decode(cursor, 'scope-b')).rejects.toMatchObject({ status: 400 });
  });

  it('SPEC §1 a cursor signed with another key is refused', async () => {
    const other = createCursorCodec(async () => 'another-secret');

    await expect(codec.decode(await other.encode(lastKey, 'scope-a'), 'scope-a')).rejects.toMatchObject({ status: 400 });
  });
});

describe('Issue 13 item 5: a failed load of the signing key is not kept', () => {
  it('SPEC §1 after one failed secret load, the next listing loads it again and works; a loaded key is read once', async () => {
    let loads = 0;
    const flaky = createCursorCodec(async () => {
      loads += 1;
      if (loads === 1) throw new Error('Secrets Manager is unreachable');
      return 'test-secret';
    });

    await expect(flaky.encode(lastKey, 'scope-a')).rejects.toThrow('unreachable');
    const cursor = await flaky.encode(lastKey, 'scope-a');
    await flaky.encode(lastKey, 'scope-b');

    expect(await codec.decode(cursor, 'scope-a')).toEqual(lastKey);
    expect(loads).toBe(2);
  });
});
