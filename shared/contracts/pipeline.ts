import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { ADMIN_ONLY, EVERYONE } from '../domain/principal.ts';
import { booleanQuery, csv, idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { REASON_KINDS, createReasonBody, createStageBody, pipelineSettings, pipelineSettingsBody, reason, stage, updateReasonBody, updateStageBody } from '../schemas/pipeline.ts';

const reasonListQuery = z.strictObject({ ...pageQuery, kind: csv(z.enum(REASON_KINDS)).optional(), active: booleanQuery.optional() });

export const pipelineContracts = defineContracts({
  listStages: {
    method: 'GET',
    path: '/stages',
    summary: 'List stages in pipeline order (ascending order, not newest first)',
    roles: EVERYONE,
    query: z.strictObject(pageQuery),
    response: pageOf(stage),
  },
  createStage: {
    method: 'POST',
    path: '/stages',
    summary: 'Create a stage',
    roles: ADMIN_ONLY,
    body: createStageBody,
    response: stage,
    successStatus: 201,
  },
  getStage: {
    method: 'GET',
    path: '/stages/{id}',
    summary: 'Read a stage',
    roles: EVERYONE,
    params: idParams,
    response: stage,
  },
  updateStage: {
    method: 'PATCH',
    path: '/stages/{id}',
    summary: 'Change a stage (name, order, probability)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateStageBody,
    response: stage,
    statuses: [412],
  },
  deleteStage: {
    method: 'DELETE',
    path: '/stages/{id}',
    summary: 'Delete a stage no opportunity and no setting uses (409 stage_in_use otherwise)',
    roles: ADMIN_ONLY,
    params: idParams,
    successStatus: 204,
    statuses: [409, 412],
  },
  getPipelineSettings: {
    method: 'GET',
    path: '/settings/pipeline',
    summary: 'Read the pipeline settings',
    roles: EVERYONE,
    response: pipelineSettings,
  },
  replacePipelineSettings: {
    method: 'PUT',
    path: '/settings/pipeline',
    summary: 'Replace the pipeline settings (validated as a whole; every id must exist)',
    roles: ADMIN_ONLY,
    body: pipelineSettingsBody,
    response: pipelineSettings,
    statuses: [412],
  },
  listReasons: {
    method: 'GET',
    path: '/reasons',
    summary: 'List win/loss reasons (all of them unless filtered by kind or active)',
    roles: EVERYONE,
    query: reasonListQuery,
    response: pageOf(reason),
  },
  createReason: {
    method: 'POST',
    path: '/reasons',
    summary: 'Create a win or loss reason (409 duplicate_reason when its kind has one with the same description, any case)',
    roles: ADMIN_ONLY,
    body: createReasonBody,
    response: reason,
    successStatus: 201,
    statuses: [409],
  },
  getReason: {
    method: 'GET',
    path: '/reasons/{id}',
    summary: 'Read a reason (archived ones too)',
    roles: EVERYONE,
    params: idParams,
    response: reason,
  },
  updateReason: {
    method: 'PATCH',
    path: '/reasons/{id}',
    summary: 'Change a reason (description, unique per kind; active=false archives it)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateReasonBody,
    response: reason,
    statuses: [409, 412],
  },
});
