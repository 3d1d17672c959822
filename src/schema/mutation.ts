/**
 * The mutation root, kept empty here: each step adds its own mutations from its own file with
 * `builder.mutationFields` (tracking in `tracking.ts`, ImageKit starts in `start-jobs.ts`, webhooks in `webhooks.ts`).
 */
import { builder } from './builder.js';

builder.mutationType({ description: 'Changes: tracking jobs and starting ImageKit jobs (and, in a later step, managing webhooks).' });
