/** One line of feedback in a live region: polite for information, assertive for errors. */
export interface Notice {
  readonly tone: 'info' | 'error';
  readonly text: string;
}

export function NoticeLine({ notice }: { notice: Notice | null }) {
  return (
    <p class={`notice ${notice ? `notice-${notice.tone}` : 'notice-empty'}`} role={notice?.tone === 'error' ? 'alert' : 'status'}>
      {notice?.text ?? ''}
    </p>
  );
}
