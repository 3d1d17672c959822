/**
 * What GraphiQL opens with. The query must work as it is, so it names real jobs when it can; in
 * sandbox mode every page load gets fresh demo jobs, so "run it again and watch them move" works
 * on every visit, not only during the first 40 seconds of the process.
 */
import type { GraphiQLOptions } from 'graphql-yoga';
import type { JobKind } from '../jobs/model.js';

const SELECTION = `    __typename
    ... on Job { id kind state rawStatus done progress { completed total percent } message checkedAt }
    ... on ImageKitBulkJob { type purgeRequest { nativeId state } }
    ... on ZendeskJobStatus { total results { id action status success } }
    ... on Error { error: message }
    ... on ProviderError { code retryAfterMs }`;

/** The opening query over `refs`; with none, a placeholder the user replaces with their own ids. */
export function defaultQuery(refs: readonly { kind: JobKind; nativeId: string }[]): string {
  const examples = refs.length > 0 ? refs : [{ kind: 'ZENDESK_JOB_STATUS' as const, nativeId: 'V3-eb3753c8075be0c165b61b89a50ea0aa' }];
  const list = examples.map((ref) => `    { kind: ${ref.kind}, id: ${JSON.stringify(ref.nativeId)} }`).join('\n');
  const intro = refs.length > 0 ? '# Jobs at the built-in sandbox providers: run it again to watch them move.' : '# Put your own job ids in the refs below.';
  const first = examples[0]!;
  return `${intro}
# Tracked jobs live in the registry: track one with the mutation below (select it and run it),
# then trackedJobs lists it, kept fresh by the tracker with no upstream call here.
#   mutation Track { trackJobs(refs: [{ kind: ${first.kind}, id: ${JSON.stringify(first.nativeId)} }], labels: ["demo"]) { __typename } }
# Or start an ImageKit job here: it is tracked at once, and trackedJobs below shows its progress.
#   mutation Copy { copyImageKitFolder(input: { sourceFolderPath: "/demo/products", destinationPath: "/demo/archive", labels: ["demo"], idempotencyKey: "demo-copy-1" }) { __typename ... on Job { nativeId state } ... on JobRejectedError { reason httpStatus message } ... on ProviderError { code message } } }
query JobStatuses {
  providers { provider account sandbox kinds }
  jobs(refs: [
${list}
  ]) {
${SELECTION}
  }
  trackedJobs(first: 10, filter: { done: false }) {
    totalCount
    edges { node { __typename ... on Job { kind nativeId state progress { percent } tracking { labels trackedAt } } } }
  }
}
`;
}

/**
 * GraphiQL's options for one page load. A query given as a function (the sandbox's fresh demo
 * jobs) is also passed as `query`: GraphiQL then opens it in a tab even when tabs from an earlier
 * visit are stored in the browser, where `defaultQuery` alone would reopen the old, finished ids.
 */
export function graphiqlOptions(query: string | (() => string) | undefined): GraphiQLOptions {
  const base: GraphiQLOptions = {
    title: 'job-status-graphql',
    // GraphiQL runs subscriptions over SSE with a GET, which CSRF_PREVENTION=strict refuses without this header.
    additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
  };
  if (typeof query !== 'function') return { ...base, defaultQuery: query };
  const fresh = query();
  // `query` is read by yoga's GraphiQL page but missing from its option type.
  return { ...base, defaultQuery: fresh, ...({ query: fresh } as Partial<GraphiQLOptions>) };
}
