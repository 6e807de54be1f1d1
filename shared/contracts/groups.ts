import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { ADMIN_ONLY, EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { createGroupBody, group, updateGroupBody } from '../schemas/users.ts';

export const groupContracts = defineContracts({
  listGroups: {
    method: 'GET',
    path: '/groups',
    summary: 'List groups',
    roles: EVERYONE,
    query: z.strictObject(pageQuery),
    response: pageOf(group),
  },
  getGroup: {
    method: 'GET',
    path: '/groups/{id}',
    summary: 'Read a group',
    roles: EVERYONE,
    params: idParams,
    response: group,
  },
  createGroup: {
    method: 'POST',
    path: '/groups',
    summary: 'Create a group of users',
    roles: ADMIN_ONLY,
    body: createGroupBody,
    response: group,
    successStatus: 201,
  },
  updateGroup: {
    method: 'PATCH',
    path: '/groups/{id}',
    summary: 'Rename a group or replace its members',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateGroupBody,
    response: group,
    statuses: [412],
  },
});
