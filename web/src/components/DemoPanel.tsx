/**
 * Sandbox only: buttons that start a demo job of every kind, and one of each ImageKit refusal,
 * so a newcomer sees the whole life of a job (and what a refusal looks like) in a minute.
 */
import { useContext, useRef, useState } from 'preact/hooks';
import { type Api, type Outcome } from '../api.js';
import { ApiContext } from '../api-context.js';
import { DEMO_JOBS, DEMO_REFUSALS, type DemoButton, type DemoStart, demoStamp } from '../demo-jobs.js';
import { KIND_NAMES, PROVIDER_NAMES, PROVIDER_OF_KIND } from '../enums.js';
import type { StartJobResultFieldsFragment } from '../gql/graphql.js';
import {
  CopyImageKitFolderMutation,
  MoveImageKitFolderMutation,
  PurgeImageKitCacheMutation,
  RenameImageKitFolderMutation,
  TrackJobsMutation,
} from '../operations.js';
import { isJob } from '../state.js';

/** What one click did, shown in the panel's log (newest first). */
interface DemoResult {
  readonly key: number;
  readonly label: string;
  readonly tone: 'started' | 'refused' | 'error';
  readonly text: string;
}

type ResultText = Pick<DemoResult, 'tone' | 'text'>;

const MAX_RESULTS = 12;

function startedText(result: StartJobResultFieldsFragment): ResultText {
  switch (result.__typename) {
    case 'JobRejectedError':
      return { tone: 'refused', text: `Refused (${result.httpStatus} ${result.reason}): ${result.errorMessage}` };
    case 'ProviderError':
      return { tone: 'error', text: `Provider error (${result.code}): ${result.errorMessage}` };
    default:
      return { tone: 'started', text: `Started ${PROVIDER_NAMES[result.provider]} ${KIND_NAMES[result.kind].toLowerCase()} ${result.nativeId}.` };
  }
}

function resultOf<T>(outcome: Outcome<T>, pick: (data: T) => StartJobResultFieldsFragment): ResultText {
  return outcome.ok ? startedText(pick(outcome.data)) : { tone: 'error', text: `Not started: ${outcome.message}` };
}

async function run(api: Api, start: DemoStart): Promise<ResultText> {
  switch (start.mutation) {
    case 'copy':
      return resultOf(await api.request(CopyImageKitFolderMutation, { input: start.input }), (data) => data.copyImageKitFolder);
    case 'move':
      return resultOf(await api.request(MoveImageKitFolderMutation, { input: start.input }), (data) => data.moveImageKitFolder);
    case 'rename':
      return resultOf(await api.request(RenameImageKitFolderMutation, { input: start.input }), (data) => data.renameImageKitFolder);
    case 'purge':
      return resultOf(await api.request(PurgeImageKitCacheMutation, { input: start.input }), (data) => data.purgeImageKitCache);
    case 'track': {
      const outcome = await api.request(TrackJobsMutation, { refs: [{ kind: start.kind, id: start.id }], labels: ['demo'] });
      if (!outcome.ok) return { tone: 'error', text: `Not tracked: ${outcome.message}` };
      const result = outcome.data.trackJobs[0];
      const name = `${PROVIDER_NAMES[PROVIDER_OF_KIND[start.kind]]} ${KIND_NAMES[start.kind].toLowerCase()} ${start.id}`;
      return result && !isJob(result)
        ? { tone: 'error', text: `Tracking ${name}; the provider says: ${result.errorMessage}` }
        : { tone: 'started', text: `Tracking ${name}.` };
    }
  }
}

export function DemoPanel() {
  const api = useContext(ApiContext);
  const [results, setResults] = useState<readonly DemoResult[]>([]);
  const [busy, setBusy] = useState(false);
  const clicks = useRef(0);

  const click = async (button: DemoButton) => {
    if (!api) return;
    setBusy(true);
    const result = await run(api, button.start(demoStamp(Date.now(), Math.random())));
    const entry: DemoResult = { key: (clicks.current += 1), label: button.label, ...result };
    setResults((current) => [entry, ...current].slice(0, MAX_RESULTS));
    setBusy(false);
  };

  const buttons = (list: readonly DemoButton[]) => (
    <ul class="demo-buttons">
      {list.map((button) => (
        <li>
          <button type="button" class="button-secondary" disabled={busy} onClick={() => void click(button)}>
            {button.label}
            <span class="demo-expect">{button.expect}</span>
          </button>
        </li>
      ))}
    </ul>
  );

  return (
    <section class="panel demo" aria-labelledby="demo-title">
      <h2 id="demo-title">Demo</h2>
      <p class="muted">The sandbox simulates every provider. Start a job and watch it move below.</p>
      <h3 class="demo-heading">Start a job</h3>
      {buttons(DEMO_JOBS)}
      <h3 class="demo-heading">See a refusal</h3>
      {buttons(DEMO_REFUSALS)}
      {/* A log: each click adds a line, so a refusal stays readable after the next click. */}
      <ol class="demo-results" role="log" aria-label="Demo results">
        {results.map((result) => (
          <li key={result.key} class={`demo-result demo-result-${result.tone}`}>
            <span class="demo-result-label">{result.label}</span> <span class="demo-result-text">{result.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
