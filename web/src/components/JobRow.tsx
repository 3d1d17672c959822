/**
 * One tracked job: a card on narrow screens, a grid row on wide ones. Cheap to render (no
 * per-row work beyond formatting); the detail panel mounts only when the row is expanded.
 */
import { memo } from 'preact/compat';
import { useContext, useState } from 'preact/hooks';
import { ApiContext } from '../api-context.js';
import { KIND_NAMES, PROVIDER_NAMES } from '../enums.js';
import { durationText, percentOf } from '../format.js';
import { UntrackJobsMutation } from '../operations.js';
import { globalIdOf, isJob, type JobResult, providerOf, rowKeyOf } from '../state.js';
import { JobDetail } from './JobDetail.js';
import { StateBadge } from './StateBadge.js';
import { Time } from './Time.js';

export interface JobRowProps {
  readonly result: JobResult;
  readonly now: number;
  readonly onRemoved: (ids: readonly string[]) => void;
}

function domIdOf(key: string): string {
  return `job-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function JobRowView({ result, now, onRemoved }: JobRowProps) {
  const api = useContext(ApiContext);
  const [expanded, setExpanded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const domId = domIdOf(rowKeyOf(result));
  const provider = providerOf(result);
  const tracking = isJob(result) ? result.tracking : null;

  const untrack = async () => {
    if (!api) return;
    setBusy(true);
    setProblem(null);
    const id = globalIdOf(result);
    const outcome = await api.request(UntrackJobsMutation, { ids: [id] });
    setBusy(false);
    if (!outcome.ok) {
      setProblem(`Could not untrack: ${outcome.message}`);
      return;
    }
    // The row (and the focused button in it) goes away: keep a keyboard user's place in the list.
    document.getElementById('jobs')?.focus();
    onRemoved(outcome.data.untrackJobs.length > 0 ? outcome.data.untrackJobs : [id]);
  };

  return (
    <li class={`job${expanded ? ' job-expanded' : ''}`}>
      <div class="job-main">
        <div class="job-name">
          <p class="job-kind">
            {PROVIDER_NAMES[provider]} · {KIND_NAMES[result.kind]}
          </p>
          <h3 class="job-id" id={`${domId}-title`}>
            {result.nativeId}
          </h3>
          <p class="job-account">
            <span class="muted">Account</span> {result.account}
          </p>
          {tracking && tracking.labels.length > 0 && (
            <ul class="chips" aria-label="Labels">
              {tracking.labels.map((label) => (
                <li class="chip">{label}</li>
              ))}
            </ul>
          )}
        </div>
        <div class="job-state">
          {isJob(result) ? (
            <StateBadge state={result.state} raw={result.rawStatus} />
          ) : (
            <span class="badge badge-error">{result.__typename === 'ProviderError' ? `Provider error: ${result.code}` : 'Not found'}</span>
          )}
          <p class="job-message">{isJob(result) ? result.message : result.errorMessage}</p>
        </div>
        <div class="job-progress">
          {isJob(result) && result.progress ? (
            <Progress percent={result.progress.percent} completed={result.progress.completed} total={result.progress.total} label={`Progress of ${result.nativeId}`} />
          ) : (
            <span class="muted">{isJob(result) && result.done ? 'Done' : 'No progress reported'}</span>
          )}
        </div>
        <dl class="job-times">
          {tracking && (
            <div>
              <dt>Tracked</dt>
              <dd>
                <Time iso={tracking.trackedAt} now={now} />
              </dd>
            </div>
          )}
          {tracking?.finishedAt && (
            <div>
              <dt>Finished</dt>
              <dd>
                <Time iso={tracking.finishedAt} now={now} />
              </dd>
            </div>
          )}
          {tracking?.durationMs != null && (
            <div>
              <dt>Took</dt>
              <dd>{durationText(tracking.durationMs)}</dd>
            </div>
          )}
        </dl>
        <div class="job-actions">
          {isJob(result) && (
            <button type="button" class="button-secondary" aria-expanded={expanded} aria-controls={`${domId}-detail`} onClick={() => setExpanded(!expanded)}>
              {expanded ? 'Hide details' : 'Details'}
              <span class="visually-hidden"> of {result.nativeId}</span>
            </button>
          )}
          <button type="button" class="button-danger" disabled={busy} onClick={untrack}>
            Untrack<span class="visually-hidden"> {result.nativeId}</span>
          </button>
        </div>
      </div>
      {problem && (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      {expanded && isJob(result) && <JobDetail id={`${domId}-detail`} job={result} now={now} />}
    </li>
  );
}

function Progress({ percent, completed, total, label }: { percent: number; completed: number; total: number; label: string }) {
  const value = percentOf(percent);
  return (
    <div class="progress">
      <div class="progress-bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value}>
        <div class="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span class="progress-text">
        {value} %<span class="muted"> · {completed}/{total}</span>
      </span>
    </div>
  );
}

/** Re-renders only when its own result (or the clock) changes. */
export const JobRow = memo(JobRowView);
