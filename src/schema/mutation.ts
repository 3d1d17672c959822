/**
 * The mutation root, kept empty here: each step adds its own mutations from its own file with
 * `builder.mutationFields` (tracking in `tracking.ts`, webhooks in `webhooks.ts`; ImageKit starts later).
 */
import { builder } from './builder.js';

builder.mutationType({ description: 'Changes: tracking jobs (and, in later steps, starting jobs and managing webhooks).' });
