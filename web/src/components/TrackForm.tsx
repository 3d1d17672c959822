/**
 * Tracks a job by kind, id, account and labels (`trackJobs`). The new row arrives through the
 * live subscription (TRACKED), like a job someone else tracked; this form only reports the answer.
 */
import { useContext, useMemo, useState } from 'preact/hooks';
import { ApiContext } from '../api-context.js';
import { JOB_KINDS, KIND_NAMES, oneOf, PROVIDER_NAMES, PROVIDER_OF_KIND } from '../enums.js';
import type { JobKind } from '../gql/graphql.js';
import { TrackJobsMutation } from '../operations.js';
import { isJob } from '../state.js';
import { trackRequestOf } from '../track-input.js';
import type { ProviderAccount } from './App.js';
import { type Notice, NoticeLine } from './NoticeLine.js';

export function TrackForm({ providers }: { providers: readonly ProviderAccount[] }) {
  const api = useContext(ApiContext);
  const kinds = useMemo(() => {
    const served = new Set(providers.flatMap((account) => account.kinds));
    return served.size > 0 ? JOB_KINDS.filter((kind) => served.has(kind)) : [...JOB_KINDS];
  }, [providers]);
  const [kind, setKind] = useState<JobKind | null>(null);
  const chosenKind = kind && kinds.includes(kind) ? kind : kinds[0]!;
  const accounts = useMemo(
    () => [...new Set(providers.filter((account) => account.kinds.includes(chosenKind)).map((account) => account.account))],
    [providers, chosenKind],
  );
  const [id, setId] = useState('');
  const [account, setAccount] = useState('');
  // A choice of the configured accounts of the chosen kind, unless the only one is "default" (or
  // none is known yet: then free text). '' asks for "default"; a kind without one starts at its first.
  const hasDefault = accounts.length === 0 || accounts.includes('default');
  const accountOptions = accounts.length > 1 || !hasDefault;
  const sentAccount = !accountOptions || accounts.includes(account) ? account : hasDefault ? '' : accounts[0]!;
  const [labels, setLabels] = useState('');
  const [invalid, setInvalid] = useState<'id' | 'labels' | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!api) return;
    const request = trackRequestOf({ kind: chosenKind, id, account: sentAccount, labels });
    if (!request.ok) {
      setInvalid(request.field);
      setNotice({ tone: 'error', text: request.message });
      return;
    }
    setInvalid(null);
    setBusy(true);
    const outcome = await api.request(TrackJobsMutation, { refs: request.refs, labels: request.labels });
    setBusy(false);
    if (!outcome.ok) {
      setNotice({ tone: 'error', text: `Not tracked: ${outcome.message}` });
      return;
    }
    const result = outcome.data.trackJobs[0];
    setId('');
    if (!result || isJob(result)) setNotice({ tone: 'info', text: `Tracking ${request.refs[0]!.id}.` });
    else setNotice({ tone: 'info', text: `Tracking ${request.refs[0]!.id}; the provider says: ${result.errorMessage}` });
  };

  return (
    <section class="panel" aria-labelledby="track-title">
      <h2 id="track-title">Track a job</h2>
      <form class="track-form" onSubmit={submit} noValidate>
        <div class="field">
          <label for="track-kind">Kind</label>
          <select id="track-kind" value={chosenKind} onChange={(event) => setKind(oneOf(JOB_KINDS, event.currentTarget.value))}>
            {kinds.map((value) => (
              <option value={value}>
                {PROVIDER_NAMES[PROVIDER_OF_KIND[value]]} · {KIND_NAMES[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="track-id">Job id</label>
          <input
            id="track-id"
            type="text"
            required
            autoComplete="off"
            spellcheck={false}
            value={id}
            aria-invalid={invalid === 'id' ? 'true' : undefined}
            onInput={(event) => setId(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="track-account">Account</label>
          {accountOptions ? (
            <select id="track-account" value={sentAccount === 'default' ? '' : sentAccount} onChange={(event) => setAccount(event.currentTarget.value)}>
              {hasDefault && <option value="">default</option>}
              {accounts
                .filter((name) => name !== 'default')
                .map((name) => (
                  <option value={name}>{name}</option>
                ))}
            </select>
          ) : (
            <input id="track-account" type="text" placeholder="default" value={account} onInput={(event) => setAccount(event.currentTarget.value)} />
          )}
        </div>
        <div class="field">
          <label for="track-labels">Labels</label>
          <input
            id="track-labels"
            type="text"
            placeholder="comma, separated"
            aria-describedby="track-labels-hint"
            aria-invalid={invalid === 'labels' ? 'true' : undefined}
            value={labels}
            onInput={(event) => setLabels(event.currentTarget.value)}
          />
          <span id="track-labels-hint" class="hint">
            Up to 10, separated by commas
          </span>
        </div>
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Tracking…' : 'Track'}
        </button>
      </form>
      <NoticeLine notice={notice} />
    </section>
  );
}
