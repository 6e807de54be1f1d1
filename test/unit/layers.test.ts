import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 10 item 4, layers point one way: the domain (shared/domain) is pure rules, without I/O and without the
 * data and HTTP layers; index names live with the table definition, the keys and the named access patterns.
 */

const ROOT = resolve(import.meta.dirname, '../..');

const sourceFiles = (folder: string) =>
  readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));

/** Every module specifier a file names: static imports and re-exports (`… from '…'`, side-effect imports) and dynamic imports. */
function importSpecifiers(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** Why a module is out of the domain's reach, or undefined when it may be imported. */
function forbiddenForDomain(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
    if (target.startsWith('shared/db/') || target.startsWith('shared/http/')) return `imports ${target}`;
    return undefined;
  }
  if (isBuiltin(specifier)) return `imports the Node module ${specifier} (I/O)`;
  if (specifier.startsWith('@aws-sdk/')) return `imports the AWS SDK (${specifier})`;
  return undefined;
}

describe('issue 10 item 4: layers point one way', () => {
  const domainFiles = sourceFiles('shared/domain');

  it('finds the domain files', () => {
    expect(domainFiles).toContain('shared/domain/opportunities.ts');
  });

  it('shared/domain imports nothing from shared/db or shared/http, no Node I/O module and not the AWS SDK', () => {
    const violations = domainFiles.flatMap((file) =>
      importSpecifiers(readFileSync(join(ROOT, file), 'utf8')).flatMap((specifier) => {
        const why = forbiddenForDomain(file, specifier);
        return why ? [`${file} ${why}`] : [];
      }),
    );
    expect(violations).toEqual([]);
  });

  it('the checks above catch what they are meant to', () => {
    expect(forbiddenForDomain('shared/domain/x.ts', '../db/keys.ts')).toBeDefined();
    expect(forbiddenForDomain('shared/domain/x.ts', '../http/problem.ts')).toBeDefined();
    expect(forbiddenForDomain('shared/domain/x.ts', 'node:fs')).toBeDefined();
    expect(forbiddenForDomain('shared/domain/x.ts', '@aws-sdk/lib-dynamodb')).toBeDefined();
    expect(forbiddenForDomain('shared/domain/x.ts', './tags.ts')).toBeUndefined();
    expect(forbiddenForDomain('shared/domain/x.ts', '../schemas/leads.ts')).toBeUndefined();
    expect(importSpecifiers("import type { A } from '../db/a.ts';\nexport { b } from \"../http/b.ts\";\nawait import('node:fs');")).toEqual(['../db/a.ts', '../http/b.ts', 'node:fs']);
  });

  /**
   * Index names are said where the table is defined (table-definition.ts), where items get their index keys
   * (keys.ts) and where each Query's partition is named (access-patterns.ts). The indexes a consumer or a job
   * declares it queries (`queryIndexes`, for its IAM grant) are the one other place.
   */
  const INDEX_NAME_HOMES = ['shared/db/table-definition.ts', 'shared/db/keys.ts', 'shared/db/access-patterns.ts'];

  it("no 'GSI1'…'GSI5' literal in functions/ and shared/ outside the table definition, the keys and the access patterns", () => {
    const violations = [...sourceFiles('functions'), ...sourceFiles('shared')]
      .filter((file) => !INDEX_NAME_HOMES.includes(file))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, at) => (/['"`]GSI\d['"`]/.test(line) && !/\bqueryIndexes\s*:/.test(line) ? [`${file}:${at + 1}: ${line.trim()}`] : [])),
      );
    expect(violations).toEqual([]);
  });

  /** Issue 15 item 3: request paths never scan; a migration may read the whole table (parallel Scan segments). */
  it('Issue 15 item 3: no Scan in functions/ and shared/ outside shared/db/migrations/', () => {
    const violations = [...sourceFiles('functions'), ...sourceFiles('shared')]
      .filter((file) => !file.startsWith('shared/db/migrations/'))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, at) => (/\bScanCommand\b|\bTotalSegments\b|['"]dynamodb:Scan['"]/.test(line) ? [`${file}:${at + 1}: ${line.trim()}`] : [])),
      );
    expect(violations).toEqual([]);
    expect(readFileSync(join(ROOT, 'shared/db/migrations/runner.ts'), 'utf8')).toMatch(/\bScanCommand\b/);
  });
});
