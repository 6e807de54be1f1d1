import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { ADMIN_ONLY, EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { idListQuery } from '../schemas/expand.ts';
import { createUserBody, mySettingsBody, updateUserBody, user } from '../schemas/users.ts';

export const userContracts = defineContracts({
  listUsers: {
    method: 'GET',
    path: '/users',
    summary: 'List users (for pickers); id=a,b,… reads those ids',
    roles: EVERYONE,
    query: z.strictObject({ ...pageQuery, id: idListQuery }),
    response: pageOf(user),
  },
  getUser: {
    method: 'GET',
    path: '/users/{id}',
    summary: 'Read a user',
    roles: EVERYONE,
    params: idParams,
    response: user,
  },
  createUser: {
    method: 'POST',
    path: '/users',
    summary: 'Create a user (in AWS, Cognito mails the invitation)',
    roles: ADMIN_ONLY,
    body: createUserBody,
    response: user,
    successStatus: 201,
    statuses: [409, 503],
  },
  updateUser: {
    method: 'PATCH',
    path: '/users/{id}',
    summary: 'Change a user (role, locale, time zone, active)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateUserBody,
    response: user,
    statuses: [409, 412, 503],
  },
  getMe: {
    method: 'GET',
    path: '/me',
    summary: 'The calling user',
    roles: EVERYONE,
    response: user,
  },
  updateMySettings: {
    method: 'PATCH',
    path: '/me/settings',
    summary: 'Change my locale, time zone, daily recap and post-sale preference',
    roles: EVERYONE,
    body: mySettingsBody,
    response: user,
    statuses: [412],
  },
});
