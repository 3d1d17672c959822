/**
 * Asks for an API key when the API requires one, and says plainly when the one given was
 * refused. The key is kept for this browser session only (see `api.ts`).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuthProblem } from '../api.js';

export interface KeyPromptProps {
  readonly problem: AuthProblem;
  readonly onSubmit: (key: string) => void;
}

export function KeyPrompt({ problem, onSubmit }: KeyPromptProps) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [problem]);

  return (
    <section class="panel key-prompt" aria-labelledby="key-title">
      <h2 id="key-title">API key needed</h2>
      {problem === 'refused' ? (
        <p class="notice notice-error" role="alert">
          The API refused this key: it is wrong, revoked, or may not read these jobs. Enter another one.
        </p>
      ) : (
        <p>This API requires a key. It is kept for this browser session only and sent with every request.</p>
      )}
      <form
        class="key-form"
        onSubmit={(event) => {
          event.preventDefault();
          const key = value.trim();
          if (key) onSubmit(key);
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={value}
          aria-invalid={problem === 'refused' ? 'true' : undefined}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <button type="submit" class="button-primary">
          Use this key
        </button>
      </form>
    </section>
  );
}
