/**
 * A job's detail, fetched when the row is expanded and again whenever the row's status changes:
 * the history timeline (`tracking.history`) and, for Zendesk, the per-item results.
 */
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiContext } from '../api-context.js';
import { percentOf } from '../format.js';
import type { BoardJobDetailQuery } from '../gql/graphql.js';
import { JobDetailQuery } from '../operations.js';
import type { TrackedJob } from '../state.js';
import { StateBadge } from './StateBadge.js';
import { Time } from './Time.js';

type DetailNode = NonNullable<BoardJobDetailQuery['node']>;
type ZendeskDetail = Extract<DetailNode, { __typename: 'ZendeskJobStatus' }>;

export interface JobDetailProps {
  readonly id: string;
  readonly job: TrackedJob;
  readonly now: number;
}

export function JobDetail({ id, job, now }: JobDetailProps) {
  const api = useContext(ApiContext);
  const [detail, setDetail] = useState<DetailNode | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!api) return;
    let current = true;
    void api.request(JobDetailQuery, { id: job.id }).then((outcome) => {
      if (!current) return;
      if (!outcome.ok) setProblem(outcome.message);
      else if (!outcome.data.node) setProblem('The provider no longer knows this job.');
      else {
        setProblem(null);
        setDetail(outcome.data.node);
      }
    });
    return () => {
      current = false;
    };
  }, [api, job]);

  const history = detail && 'tracking' in detail ? detail.tracking?.history : undefined;
  return (
    <div class="job-detail" id={id}>
      {problem && <p class="notice notice-error">Could not load the details: {problem}</p>}
      {!detail && !problem && <p class="muted">Loading details…</p>}
      {history && (
        <section aria-label={`History of ${job.nativeId}`}>
          <h4>History</h4>
          <ol class="timeline">
            {history.edges.map(({ node }) => (
              <li class="timeline-entry">
                <Time iso={node.at} now={now} />
                <StateBadge state={node.state} raw={node.rawStatus} />
                {node.progress && <span>{percentOf(node.progress.percent)} %</span>}
                {node.message && <span class="timeline-message">{node.message}</span>}
              </li>
            ))}
          </ol>
          {history.totalCount > history.edges.length && (
            <p class="muted">
              The last {history.edges.length} of {history.totalCount} changes are shown.
            </p>
          )}
        </section>
      )}
      {detail?.__typename === 'ZendeskJobStatus' && <ZendeskResults detail={detail} nativeId={job.nativeId} />}
    </div>
  );
}

function ZendeskResults({ detail, nativeId }: { detail: ZendeskDetail; nativeId: string }) {
  if (!detail.results) return <p class="muted">Zendesk gives per-item results once the job is done.</p>;
  return (
    <section aria-label={`Results of ${nativeId}`}>
      <h4>
        Results{detail.jobType ? ` of ${detail.jobType}` : ''}
        {detail.resultsTruncated ? ` (first ${detail.results.length} of ${detail.resultsTotal ?? '?'})` : ''}
      </h4>
      <div class="table-wrap">
        <table class="results">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Id</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {detail.results.map((item, position) => (
              <tr>
                <td>{item.index ?? position}</td>
                <td class="breakable">{item.id ?? item.externalId ?? '—'}</td>
                <td>{item.action ?? '—'}</td>
                <td>{item.success === false || item.error ? `Failed${item.error ? `: ${item.error}` : ''}` : item.status ?? (item.success ? 'Success' : '—')}</td>
                <td class="breakable">{[item.title, item.details].filter(Boolean).join(' — ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
