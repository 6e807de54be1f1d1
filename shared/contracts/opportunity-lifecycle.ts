import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { bulkRestoreBody, bulkRestoreResult, createNoteBody, lostBody, mergeBody, opportunity, opportunityHistoryEntry, opportunityNote, wonBody, wonOpportunity } from '../schemas/opportunities.ts';

const entryPageQuery = z.strictObject(pageQuery);

export const opportunityLifecycleContracts = defineContracts({
  winOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/won',
    summary: 'Mark an opportunity won (409 already_won / already_lost); the answer says whether to ask about a post-sale process',
    roles: EVERYONE,
    params: idParams,
    body: wonBody,
    response: wonOpportunity,
    statuses: [403, 409, 412],
  },
  loseOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/lost',
    summary: 'Mark an opportunity lost, with an existing reason or a typed-in one (created, or reused by description)',
    roles: EVERYONE,
    params: idParams,
    body: lostBody,
    response: opportunity,
    statuses: [403, 409, 412],
  },
  restoreOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/restore',
    summary: 'Put a won or lost opportunity back into the pipeline (409 not_closed when it is open)',
    roles: EVERYONE,
    params: idParams,
    response: opportunity,
    statuses: [403, 409, 412],
  },
  restoreOpportunities: {
    method: 'POST',
    path: '/opportunities/restore',
    summary: 'Restore up to 100 opportunities; each id gets its own result (ok, or the problem that stopped it)',
    roles: EVERYONE,
    body: bulkRestoreBody,
    response: bulkRestoreResult,
  },
  archiveOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/archive',
    summary: 'Archive an opportunity (409 already_archived)',
    roles: EVERYONE,
    params: idParams,
    response: opportunity,
    statuses: [403, 409, 412],
  },
  unarchiveOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/unarchive',
    summary: 'Unarchive an opportunity (409 already_active; duplicate prevention applies)',
    roles: EVERYONE,
    params: idParams,
    response: opportunity,
    statuses: [403, 409, 412],
  },
  mergeOpportunities: {
    method: 'POST',
    path: '/opportunities/merge',
    summary: 'Merge 2 to 10 opportunities into the target (else the oldest); the others are deleted',
    roles: EVERYONE,
    body: mergeBody,
    response: opportunity,
    statuses: [403, 404],
  },
  listOpportunityHistory: {
    method: 'GET',
    path: '/opportunities/{id}/history',
    summary: 'Status, stage, owner, probability and reason changes, oldest first (merged opportunities included)',
    roles: EVERYONE,
    params: idParams,
    query: entryPageQuery,
    response: pageOf(opportunityHistoryEntry),
  },
  addOpportunityNote: {
    method: 'POST',
    path: '/opportunities/{id}/notes',
    summary: 'Add a note to an opportunity',
    roles: EVERYONE,
    params: idParams,
    body: createNoteBody,
    response: opportunityNote,
    successStatus: 201,
    statuses: [403],
  },
  listOpportunityNotes: {
    method: 'GET',
    path: '/opportunities/{id}/notes',
    summary: 'Notes of an opportunity, newest first (merged opportunities included)',
    roles: EVERYONE,
    params: idParams,
    query: entryPageQuery,
    response: pageOf(opportunityNote),
  },
});
