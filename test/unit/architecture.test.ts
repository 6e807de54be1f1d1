import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { routeImplementations } from '../../functions/api/route-implementations.ts';
import { routeGroups } from '../../functions/api/route-table.ts';
import { routeKey } from '../../shared/http/contract.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graphOf = (paths: string[]) =>
  madge(
    paths.map((path) => `${ROOT}${path}`),
    { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: `${ROOT}tsconfig.json` },
  );

describe('architecture', () => {
  it('no module imports itself through others (madge over infra, functions, shared, local, scripts)', async () => {
    const graph = await graphOf(['infra', 'functions', 'shared', 'local', 'scripts']);

    expect(Object.keys(graph.obj()).length).toBeGreaterThan(100);
    expect(graph.circular()).toEqual([]);
  }, 120_000);

  it('the route table (what the CDK stack reads) loads contracts, never handler code', async () => {
    const graph = await graphOf(['functions/api/route-table.ts']);

    const loaded = Object.keys(graph.obj());
    expect(loaded).toContain('shared/contracts/index.ts');
    expect(loaded.filter((path) => path.startsWith('functions/') && path !== 'functions/api/route-table.ts')).toEqual([]);
    // The table definition is a declaration the stack builds the table from (and access declarations name its
    // indexes); no other data-layer module, which would be code the stack has no use for.
    expect(loaded.filter((path) => path.startsWith('shared/db/') && path !== 'shared/db/table-definition.ts')).toEqual([]);
  }, 120_000);

  it('each route group implements exactly its contracts, once each', () => {
    for (const group of routeGroups) {
      const implemented = routeImplementations[group.name].map(({ contract }) => routeKey(contract));
      expect(implemented.sort(), group.name).toEqual(group.contracts.map(routeKey).sort());
    }
  });
});
