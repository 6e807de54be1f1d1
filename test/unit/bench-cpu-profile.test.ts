import { describe, expect, it } from 'vitest';
import { moduleOf, summarizeProfile, type CpuProfile } from '../../bench/cpu-profile.ts';

const ROOT = '/repo/';
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('issue 14 item 2: the request-path profile summary', () => {
  it('names a package, a project file, Node internals and V8 pseudo-frames as modules', () => {
    // Arrange
    const frames = [
      ['read', 'file:///repo/node_modules/@smithy/core/dist/index.js'],
      ['parse', 'file:///repo/node_modules/zod/v4/core/schemas.js'],
      ['runRoute', 'file:///repo/shared/http/api-handler.ts'],
      ['writeHead', 'node:_http_server'],
      ['(garbage collector)', ''],
    ] as const;

    // Act
    const modules = frames.map(([name, url]) => moduleOf(url, name, ROOT));

    // Assert
    expect(modules).toEqual(['@smithy/core', 'zod', 'shared/http/api-handler.ts', 'node internals', '(garbage collector)']);
  });

  it('counts busy time from the first request on, by part of the request path, leaving start-up and idle out', () => {
    // Arrange: root → start-up code; root → server handle → handler → SDK; root → idle
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 6] },
        { id: 2, callFrame: frame('startLocalRuntime', 'file:///repo/local/runtime.ts') },
        { id: 3, callFrame: frame('handle', 'file:///repo/local/server.ts'), children: [4] },
        { id: 4, callFrame: frame('runRoute', 'file:///repo/shared/http/api-handler.ts'), children: [5] },
        { id: 5, callFrame: frame('send', 'file:///repo/node_modules/@smithy/core/dist/index.js') },
        { id: 6, callFrame: frame('(idle)', '') },
      ],
      samples: [2, 3, 4, 5, 5, 6],
      timeDeltas: [9000, 1000, 2000, 3000, 3000, 5000],
    };

    // Act
    const summary = summarizeProfile(profile, ROOT);

    // Assert
    expect(summary.totalMs).toBe(23);
    expect(Object.fromEntries(summary.parts.map((part) => [part.name, part.ms]))).toEqual({
      'DynamoDB client (AWS SDK, its HTTP to DynamoDB Local)': 6,
      'handler (middy, auth, zod, route code, logger)': 2,
      'local gateway (HTTP server, routing, JWT, event shape)': 1,
    });
  });
});
