/** The query GraphiQL opens with: it must work as it is, so it names real jobs when it can. */
import type { JobKind } from './jobs/model.js';

const SELECTION = `    __typename
    ... on Job { id kind state rawStatus done progress { completed total percent } message checkedAt }
    ... on ImageKitBulkJob { type purgeRequest { nativeId state } }
    ... on ZendeskJobStatus { total results { id action status success } }
    ... on Error { error: message }
    ... on ProviderError { code retryAfterMs }`;

export function defaultQuery(refs: readonly { kind: JobKind; nativeId: string }[]): string {
  const examples = refs.length > 0 ? refs : [{ kind: 'ZENDESK_JOB_STATUS' as const, nativeId: 'V3-eb3753c8075be0c165b61b89a50ea0aa' }];
  const list = examples.map((ref) => `    { kind: ${ref.kind}, id: ${JSON.stringify(ref.nativeId)} }`).join('\n');
  const intro = refs.length > 0 ? '# Jobs at the built-in sandbox providers: run it again to watch them move.' : '# Put your own job ids in the refs below.';
  return `${intro}
query JobStatuses {
  providers { provider account sandbox kinds }
  jobs(refs: [
${list}
  ]) {
${SELECTION}
  }
}
`;
}
