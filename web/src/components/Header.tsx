/** The page header: title, whether the board is live, and the session's API key. */
import type { ConnectionStatus } from '../api.js';

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Not connected',
};

export interface HeaderProps {
  readonly status: ConnectionStatus;
  readonly hasKey: boolean;
  readonly onForgetKey: () => void;
  /** Shown when the connection gave up (a fatal close), to try again without reloading. */
  readonly onReconnect: () => void;
}

export function Header({ status, hasKey, onForgetKey, onReconnect }: HeaderProps) {
  return (
    <header class="page-header">
      <h1>Job status board</h1>
      <div class="header-side">
        <p class={`live live-${status}`} role="status" aria-live="polite">
          <span class="live-dot" aria-hidden="true" />
          <span>{STATUS_TEXT[status]}</span>
        </p>
        {status === 'stopped' && (
          <button type="button" class="button-quiet" onClick={onReconnect}>
            Reconnect
          </button>
        )}
        {hasKey && (
          <button type="button" class="button-quiet" onClick={onForgetKey}>
            Forget API key
          </button>
        )}
        <a class="header-link" href="/graphql">
          GraphiQL
        </a>
      </div>
    </header>
  );
}
