/**
 * Webhooks in the schema (part 2 of the contract): the `Webhook` node and its deliveries, the
 * `webhooks` list and the mutations that manage them. Thin: the webhook service does the work;
 * this file maps arguments in, results out, and webhook errors to GraphQL errors with codes.
 *
 * Access: everything needs `can: webhooks` (FORBIDDEN otherwise). A key sees and changes only
 * the webhooks it created; the open API sees them all. A webhook only carries jobs of the
 * providers its creator could read when creating it. The secret is answered by
 * `createWebhook` and `rotateWebhookSecret` only, never by a query.
 */
import { GraphQLError } from 'graphql';
import type { Connection } from '../registry/connection.js';
import { isRegistryError } from '../registry/errors.js';
import type { Caller } from '../security/caller.js';
import { WEBHOOK_EVENTS } from '../webhooks/payload.js';
import { type Webhook, type WebhookCaller, type WebhookDelivery, isWebhookError } from '../webhooks/service.js';
import { badInput } from './bad-input.js';
import { builder } from './builder.js';
import { WEBHOOK_TYPENAME, encodeJobGlobalId, webhookIdOfGlobalId } from './global-id.js';
import { type FilterArg, TrackedJobFilterInput } from './tracking.js';

function callerOf(caller: Caller): WebhookCaller {
  return { owner: caller.keyName, providers: caller.providers ? [...caller.providers] : null };
}

/** Webhook and registry errors as GraphQL errors: the caller's mistakes are 4xx. */
function graphqlErrorOf(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (isWebhookError(error)) {
    if (error.code === 'NOT_FOUND') return new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
    if (error.code === 'UNAVAILABLE') return new GraphQLError(error.message, { extensions: { code: 'REGISTRY_UNAVAILABLE' } });
    return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', reason: error.code, http: { status: 400 } } });
  }
  if (isRegistryError(error) && (error.code === 'CURSOR_INVALID' || error.code === 'PAGE_SIZE_INVALID')) {
    return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', reason: error.code, http: { status: 400 } } });
  }
  return new GraphQLError('Webhooks are unavailable right now; try again shortly', { extensions: { code: 'REGISTRY_UNAVAILABLE' } });
}

async function webhookCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw graphqlErrorOf(error);
  }
}

/** The webhook id of a global id the caller gave; a 400 when it names no webhook. */
function webhookIdOf(globalId: string | number): string {
  const id = webhookIdOfGlobalId(String(globalId));
  if (id === null) throw badInput(`Invalid webhook id "${String(globalId).slice(0, 100)}": not a webhook id this API issued`);
  return id;
}

export const WebhookEventEnum = builder.enumType('WebhookEvent', { values: WEBHOOK_EVENTS });

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { description: 'Not attempted yet, or an attempt is under way.' },
    DELIVERED: { description: 'A 2xx answer.' },
    FAILED: { description: 'The last attempt failed; nextAttemptAt says when the next one is due.' },
    GAVE_UP: { description: 'The last attempt failed (or the receiver answered 410 Gone); no more attempts.' },
  },
});

const WebhookDeliveryType = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event on its way to a webhook, and how its attempts went.',
  fields: (t) => ({
    id: t.id({ resolve: (delivery) => String(delivery.id) }),
    event: t.exposeString('event', { description: '"job.tracked", "job.changed", "job.finished" or "webhook.test".' }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (delivery) => delivery.status }),
    attempts: t.exposeInt('attempts'),
    lastResponseStatus: t.exposeInt('lastResponseStatus', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
  }),
});

const WebhookDeliveryEdge = builder.objectRef<{ cursor: string; node: WebhookDelivery }>('WebhookDeliveryEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: WebhookDeliveryType, resolve: (edge) => edge.node }),
  }),
});

const WebhookDeliveryConnection = builder.objectRef<Connection<WebhookDelivery>>('WebhookDeliveryConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [WebhookDeliveryEdge], resolve: (connection) => connection.edges as never }),
    pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (connection) => connection.pageInfo }),
    totalCount: t.exposeInt('totalCount'),
  }),
});

export const WebhookType = builder.node(builder.objectRef<Webhook>(WEBHOOK_TYPENAME), {
  description: 'A receiver the service POSTs signed events to (Standard Webhooks).',
  authScopes: { can: 'webhooks' },
  runScopesOnType: true,
  id: { resolve: (webhook) => webhook.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'url' in value && 'events' in value && !('ref' in value),
  loadManyWithoutCache: (ids: string[], context) =>
    webhookCall(() => Promise.all(ids.map((id) => context.webhooks.get(callerOf(context.caller), id)))),
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (webhook) => [...webhook.events] }),
    description: t.exposeString('description', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why it was disabled (410 Gone, five days of failures, updateWebhook).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    failingSince: t.expose('failingSince', { type: 'DateTime', nullable: true, description: 'First failure of the current run of failed attempts; null after a success.' }),
    deliveries: t.field({
      type: WebhookDeliveryConnection,
      description: 'Deliveries, newest first.',
      args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
      resolve: (webhook, args, context) => webhookCall(() => context.webhooks.deliveries(webhook.id, { first: args.first, after: args.after })),
    }),
  }),
});

const CreateWebhookPayloadType = builder.objectRef<{ webhook: Webhook; secret: string }>('CreateWebhookPayload').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookType, resolve: (payload) => payload.webhook }),
    secret: t.exposeString('secret', { description: 'The signing secret ("whsec_…"): shown here only, never again.' }),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'http(s); must resolve to public addresses unless WEBHOOK_ALLOW_PRIVATE=1.' }),
    events: t.field({ type: [WebhookEventEnum], required: true }),
    filter: t.field({ type: TrackedJobFilterInput, description: 'Only jobs matching it (as in trackedJobs); omitted: every tracked job.' }),
    description: t.string(),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'Fields given are changed; enabling again clears disabledReason.',
  fields: (t) => ({
    url: t.string(),
    events: t.field({ type: [WebhookEventEnum] }),
    filter: t.field({ type: TrackedJobFilterInput }),
    description: t.string(),
    enabled: t.boolean(),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({
    type: [WebhookType],
    description: 'The webhooks this API key created (the open API: all), oldest first.',
    authScopes: { can: 'webhooks' },
    resolve: (_root, _args, context) => webhookCall(() => context.webhooks.list(callerOf(context.caller))),
  }),
);

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreateWebhookPayloadType,
    description: 'Registers a webhook; the secret is shown only in this answer.',
    authScopes: { can: 'webhooks' },
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: (_root, { input }, context) =>
      webhookCall(() =>
        context.webhooks.create(callerOf(context.caller), {
          url: input.url,
          events: input.events,
          filter: (input.filter as FilterArg) ?? null,
          description: input.description ?? null,
        }),
      ),
  }),
  updateWebhook: t.field({
    type: WebhookType,
    authScopes: { can: 'webhooks' },
    args: { id: t.arg({ type: 'ID', required: true }), input: t.arg({ type: UpdateWebhookInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      webhookCall(() =>
        context.webhooks.update(callerOf(context.caller), webhookIdOf(id), {
          ...(input.url == null ? {} : { url: input.url }),
          ...(input.events == null ? {} : { events: input.events }),
          ...(input.filter === undefined ? {} : { filter: (input.filter as FilterArg) ?? null }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.enabled == null ? {} : { enabled: input.enabled }),
        }),
      ),
  }),
  deleteWebhook: t.field({
    type: 'ID',
    description: 'Forgets a webhook and its deliveries; answers its id.',
    authScopes: { can: 'webhooks' },
    args: { id: t.arg({ type: 'ID', required: true }) },
    resolve: async (_root, { id }, context) => {
      const deleted = await webhookCall(() => context.webhooks.delete(callerOf(context.caller), webhookIdOf(id)));
      if (!deleted) throw graphqlErrorOf(new GraphQLError('No webhook of this API key has this id', { extensions: { code: 'NOT_FOUND', http: { status: 404 } } }));
      return String(id);
    },
  }),
  rotateWebhookSecret: t.field({
    type: CreateWebhookPayloadType,
    description: 'A new secret (shown only here); for 24 h deliveries carry a signature by each, the old and the new.',
    authScopes: { can: 'webhooks' },
    args: { id: t.arg({ type: 'ID', required: true }) },
    resolve: (_root, { id }, context) => webhookCall(() => context.webhooks.rotateSecret(callerOf(context.caller), webhookIdOf(id))),
  }),
  sendTestWebhook: t.field({
    type: WebhookDeliveryType,
    description: 'Queues a "webhook.test" event through the same outbox (signed, retried) and answers its delivery.',
    authScopes: { can: 'webhooks' },
    args: { id: t.arg({ type: 'ID', required: true }) },
    resolve: (_root, { id }, context) => {
      const webhookId = webhookIdOf(id);
      return webhookCall(() => context.webhooks.sendTest(callerOf(context.caller), webhookId, encodeJobGlobalId(WEBHOOK_TYPENAME, webhookId)));
    },
  }),
}));
