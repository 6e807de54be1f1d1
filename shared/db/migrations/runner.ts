import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../../app-context.ts';
import { tableDefinition } from '../table-definition.ts';
import { deleteItem, getItem, putItem, updateItem } from '../store.ts';
import { MIGRATIONS } from './index.ts';
import type { Item, Migration } from './types.ts';

/**
 * Issue 15 item 3: brings a table to the current item shapes. The table's shape version lives in one meta item
 * (MIGRATIONS/META: `shapeVersion`, the id of the last migration applied; a table without it is unversioned, 0),
 * with the progress of the migration under way: the last key each Scan segment reached, saved after every page,
 * so a run stopped anywhere resumes where it was. Each item change is a conditional update that only applies to
 * an item still in the old shape, so reruns and writes by the running code meanwhile are safe.
 */
export const META_KEY = { [tableDefinition.partitionKey]: 'MIGRATIONS', [tableDefinition.sortKey]: 'META' };
export const DEFAULT_SEGMENTS = 4;
const PAGE_SIZE = 200;

interface Meta {
  shapeVersion: number;
  /** The migration under way: per segment, the key to resume after, `null` to start, `'done'`. */
  progress?: { id: number; segments: (Item | null | 'done')[]; scanned: number; changed: number };
}

export interface MigrationProgress {
  migration: string;
  scanned: number;
  changed: number;
  segmentsDone: number;
  segments: number;
}

export interface MigrateOptions {
  segments?: number;
  /** Called after every page and at the end of each migration. */
  report?: (progress: MigrationProgress) => void;
  /** Stops after this many pages (tests of resuming). */
  stopAfterPages?: number;
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
  stopped: boolean;
}

export async function shapeVersion(ctx: AppContext): Promise<number> {
  return ((await getItem(ctx, META_KEY, { consistent: true })) as Meta | undefined)?.shapeVersion ?? 0;
}

async function readMeta(ctx: AppContext): Promise<Meta> {
  const item = (await getItem(ctx, META_KEY, { consistent: true })) as Meta | undefined;
  return { shapeVersion: item?.shapeVersion ?? 0, ...(item?.progress ? { progress: item.progress } : {}) };
}

const saveMeta = (ctx: AppContext, meta: Meta) => putItem(ctx, { ...META_KEY, ...meta });

/** Applies every migration newer than the table's shape version, in order. */
export async function migrateTable(ctx: AppContext, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const meta = await readMeta(ctx);
  const from = meta.shapeVersion;
  const applied: string[] = [];
  const budget = { pages: options.stopAfterPages ?? Infinity };
  for (const migration of migrations.filter((candidate) => candidate.id > meta.shapeVersion)) {
    const label = `${String(migration.id).padStart(3, '0')}-${migration.name}`;
    const segments = meta.progress?.id === migration.id ? meta.progress.segments.length : (options.segments ?? DEFAULT_SEGMENTS);
    const progress = meta.progress?.id === migration.id ? meta.progress : { id: migration.id, segments: Array<Item | null | 'done'>(segments).fill(null), scanned: 0, changed: 0 };
    meta.progress = progress;
    if (migration.change || migration.derive || migration.remove) {
      const report = () =>
        options.report?.({ migration: label, scanned: progress.scanned, changed: progress.changed, segmentsDone: progress.segments.filter((at) => at === 'done').length, segments });
      await Promise.all(progress.segments.map((_, segment) => scanSegment(ctx, migration, meta, segment, budget, report)));
      if (progress.segments.some((at) => at !== 'done')) return { from, to: meta.shapeVersion, applied, stopped: true };
    }
    await migration.afterScan?.(ctx);
    meta.shapeVersion = migration.id;
    delete meta.progress;
    await saveMeta(ctx, meta);
    applied.push(label);
    options.report?.({ migration: label, scanned: progress.scanned, changed: progress.changed, segmentsDone: segments, segments });
  }
  return { from, to: meta.shapeVersion, applied, stopped: false };
}

/** One segment of the parallel Scan, page by page, saving where it is after each page. */
async function scanSegment(ctx: AppContext, migration: Migration, meta: Meta, segment: number, budget: { pages: number }, report: () => void): Promise<void> {
  const progress = meta.progress!;
  while (progress.segments[segment] !== 'done') {
    if (budget.pages <= 0) return;
    budget.pages -= 1;
    const start = progress.segments[segment];
    const page = await ctx.db.send(
      new ScanCommand({
        TableName: ctx.tableName,
        Segment: segment,
        TotalSegments: progress.segments.length,
        Limit: PAGE_SIZE,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      progress.scanned += 1;
      const derived = migration.derive?.(item) ?? [];
      for (const derivedItem of derived) await putItem(ctx, derivedItem);
      if (derived.length > 0) progress.changed += 1;
      const key = { [tableDefinition.partitionKey]: item[tableDefinition.partitionKey], [tableDefinition.sortKey]: item[tableDefinition.sortKey] };
      const removal = migration.remove?.(item);
      if (removal && (await deleteItem(ctx, key, removal))) progress.changed += 1;
      const change = migration.change?.(item);
      if (!change) continue;
      if (await updateItem(ctx, key, change.update, { expression: change.condition })) progress.changed += 1;
    }
    progress.segments[segment] = page.LastEvaluatedKey ?? 'done';
    await saveMeta(ctx, meta);
    report();
  }
}
