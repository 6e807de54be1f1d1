import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, parseJsonBody } from '../../shared/http/request-body.ts';

const JSON_TYPE = 'application/json';

describe('SPEC §1 request bodies', () => {
  it('SPEC §1 accepts JSON with a charset or a +json media type', () => {
    expect(parseJsonBody('{"a":1}', 'application/json; charset=utf-8', true)).toEqual({ a: 1 });
    expect(parseJsonBody('{"a":1}', 'application/merge-patch+json', true)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('{"firstName":"Björn"}', 'utf8'), 'application/json;charset="UTF-8"', true)).toEqual({ firstName: 'Björn' });
  });

  it.each([
    ['413 over 256 KiB', JSON.stringify({ x: 'y'.repeat(MAX_BODY_BYTES) }), JSON_TYPE, 413, 'body_too_large'],
    ['400 empty where a body is required', '  ', JSON_TYPE, 400, 'body_required'],
    ['415 not JSON', 'a=1', 'text/plain', 415, 'unsupported_media_type'],
    ['415 no content type', '{"a":1}', undefined, 415, 'unsupported_media_type'],
    ['400 malformed JSON', '{"a":', JSON_TYPE, 400, 'malformed_json'],
    ['400 bytes that are not UTF-8 (Latin-1 "Björn")', Buffer.from('{"firstName":"Bj\xf6rn"}', 'latin1'), JSON_TYPE, 400, 'malformed_json'],
    ['415 JSON declared in another charset', '{"a":1}', 'application/json; charset=latin1', 415, 'unsupported_media_type'],
  ])('SPEC §1 %s', (_, raw, contentType, status, code) => {
    expect(() => parseJsonBody(raw, contentType, true)).toThrow(expect.objectContaining({ status, code }));
  });

  it('SPEC §1 a route without a body takes nothing or {} and refuses fields', () => {
    expect(parseJsonBody(undefined, undefined, false)).toBeUndefined();
    expect(parseJsonBody('{}', JSON_TYPE, false)).toEqual({});
    expect(() => parseJsonBody('{"ownerId":"x"}', JSON_TYPE, false)).toThrow(expect.objectContaining({ status: 400, code: 'unexpected_body' }));
  });
});
