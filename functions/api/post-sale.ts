import { postSaleContracts as contracts } from '../../shared/contracts/post-sale.ts';
import { addTask, createProcess, deleteProcess, getProcess, listProcesses, postSaleSummary, removeTask, updateProcess, updateTask } from '../../shared/db/post-sale-processes.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from '../../shared/db/post-sale-templates.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';

/**
 * Post-sale processes (SPEC §7): templates (R-PS-1), processes and tasks (R-PS-2..R-PS-5), who sees and deletes
 * them (R-PS-6, R-PS-7) and the caller's summary. The rules are in shared/domain/post-sale.ts, the writes in
 * shared/db/post-sale-processes.ts; a task route answers the whole process, whose status it derives again.
 */
export const postSaleRoutes = [
  implement(contracts.listPostSaleTemplates, ({ ctx, query }) => listTemplates(ctx, query)),
  implement(contracts.getPostSaleTemplate, ({ ctx, params }) => getTemplate(ctx, params.id)),
  implement(contracts.createPostSaleTemplate, ({ ctx, body }) => createTemplate(ctx, body)),
  implement(contracts.updatePostSaleTemplate, ({ ctx, params, body, ifMatch }) => updateTemplate(ctx, params.id, body, { ifMatch })),
  implement(contracts.deletePostSaleTemplate, ({ ctx, params, ifMatch }) => deleteTemplate(ctx, params.id, { ifMatch })),
  implement(contracts.listPostSaleProcesses, ({ ctx, principal, query }) => listProcesses(ctx, principal, query)),
  implement(contracts.createPostSaleProcess, ({ ctx, principal, body }) => createProcess(ctx, principal, body)),
  implement(contracts.getPostSaleProcess, ({ ctx, principal, params }) => getProcess(ctx, principal, params.id)),
  implement(contracts.updatePostSaleProcess, ({ ctx, principal, params, body, ifMatch }) => updateProcess(ctx, principal, params.id, body, { ifMatch })),
  implement(contracts.deletePostSaleProcess, ({ ctx, principal, params, ifMatch }) => deleteProcess(ctx, principal, params.id, { ifMatch })),
  implement(contracts.addPostSaleTask, async ({ ctx, principal, params, body, ifMatch }) => (await addTask(ctx, principal, params.id, body, { ifMatch })).process),
  implement(contracts.updatePostSaleTask, async ({ ctx, principal, params, body, ifMatch }) => (await updateTask(ctx, principal, params.id, params.taskId, body, { ifMatch })).process),
  implement(contracts.deletePostSaleTask, async ({ ctx, principal, params, ifMatch }) => {
    await removeTask(ctx, principal, params.id, params.taskId, { ifMatch });
  }),
  implement(contracts.getPostSaleSummary, ({ ctx, principal }) => postSaleSummary(ctx, principal.userId)),
];

export const handler = createApiHandler(postSaleRoutes);
