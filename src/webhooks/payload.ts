/**
 * The event bodies webhooks receive, and the names that connect the schema's `WebhookEvent`
 * values to the `type` in each body.
 *
 * Every body is the Standard Webhooks envelope `{ type, timestamp, data }`. For job events
 * `data` is `{ job, previousState }`: `job` is what the caller passes (the Job's fields, its
 * global id included), `previousState` the state before the change (null when there was none,
 * as for `job.tracked`). `webhook.test` (from `sendTestWebhook`) carries `{ webhook: { id } }`.
 * `timestamp` is when the event happened, not when an attempt is made: retries send the very same
 * bytes, so receivers can compare and deduplicate bodies (the attempt's time is in the signed
 * `webhook-timestamp` header).
 */

/** The schema's `WebhookEvent` values: what a webhook subscribes to. */
export const WEBHOOK_EVENTS = ['JOB_TRACKED', 'JOB_CHANGED', 'JOB_FINISHED'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The `type` of a body. */
export type EventType = 'job.tracked' | 'job.changed' | 'job.finished' | 'webhook.test';

const TYPE_OF: Readonly<Record<WebhookEvent, EventType>> = {
  JOB_TRACKED: 'job.tracked',
  JOB_CHANGED: 'job.changed',
  JOB_FINISHED: 'job.finished',
};

/** The body type a subscribed event is delivered as. */
export function eventType(event: WebhookEvent): EventType {
  return TYPE_OF[event];
}

/** The envelope every body has. */
export interface EventEnvelope<Data> {
  readonly type: EventType;
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  readonly data: Data;
}

/** `data` of the job events. */
export interface JobEventData {
  /** The Job's fields as the API shows them, global `id` included; JSON-serialisable. */
  readonly job: Readonly<Record<string, unknown>>;
  /** The state before this change; null when there was none. */
  readonly previousState: string | null;
}

/**
 * The JSON body of a job event, exactly as it is signed and sent.
 * @param at when the event happened (ms since the epoch).
 */
export function jobEventBody(
  type: Exclude<EventType, 'webhook.test'>,
  { job, previousState = null, at }: { readonly job: Readonly<Record<string, unknown>>; readonly previousState?: string | null; readonly at: number },
): string {
  const envelope: EventEnvelope<JobEventData> = { type, timestamp: new Date(at).toISOString(), data: { job, previousState } };
  return JSON.stringify(envelope);
}

/** The JSON body `sendTestWebhook` delivers. */
export function testEventBody({ webhookId, at }: { readonly webhookId: string; readonly at: number }): string {
  const envelope: EventEnvelope<{ webhook: { id: string } }> = {
    type: 'webhook.test',
    timestamp: new Date(at).toISOString(),
    data: { webhook: { id: webhookId } },
  };
  return JSON.stringify(envelope);
}
