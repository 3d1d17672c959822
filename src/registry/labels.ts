/**
 * The rules for labels, in one place so that every entry point (track, set labels, filters,
 * webhooks) says the same thing: at most 10 per job, each 1–128 characters, none of them a
 * control character. Labels are compared exactly (no trimming, no case folding): what a user
 * typed is what they find.
 */

export const MAX_LABELS = 10;
export const MAX_LABEL_LENGTH = 128;

export type LabelsCheck = { readonly ok: true; readonly labels: string[] } | { readonly ok: false; readonly message: string };

// C0, DEL, C1, and the line/paragraph separators: nothing a label shown on one line may hold.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * Checks labels and returns them without duplicates, first occurrence first, or a message that
 * names the offending label by position.
 */
export function checkLabels(labels: readonly string[]): LabelsCheck {
  const unique = [...new Set(labels)];
  if (unique.length > MAX_LABELS) {
    return { ok: false, message: `at most ${MAX_LABELS} labels are allowed, got ${unique.length}` };
  }
  for (const [index, label] of labels.entries()) {
    const problem = labelProblem(label);
    if (problem) return { ok: false, message: `label ${index + 1} ${problem}` };
  }
  return { ok: true, labels: unique };
}

/** The labels of `existing` followed by those of `added` it lacks, in order. */
export function mergeLabels(existing: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...existing, ...added])];
}

function labelProblem(label: string): string | null {
  if (label.length === 0) return 'is empty';
  // Count code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...label].length;
  if (length > MAX_LABEL_LENGTH) return `is ${length} characters long (at most ${MAX_LABEL_LENGTH})`;
  if (CONTROL.test(label)) return 'contains a control character';
  return null;
}
