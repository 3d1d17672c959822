/** Assembles the schema: every domain file registers its types on the one builder. */
import { builder } from './builder.js';
import { resolveJobIdsAtOnce } from './job-node.js';
import './job.js';
import './imagekit.js';
import './saymon.js';
import './zendesk.js';
import './errors.js';
import './query.js';
import './subscription.js';
import './mutation.js';
import './tracking.js';

export const schema = resolveJobIdsAtOnce(builder.toSchema({ sortSchema: false }));
export type { Context } from './builder.js';
