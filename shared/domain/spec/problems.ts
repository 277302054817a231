import type { PathSegment } from '../../model/spec';
import { LIMITS } from '../../model/spec-limits';

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * A value quoted back to the user, shortened to {@link LIMITS.maxQuotedLength} characters: a
 * message stays readable, and a refusal stays small enough to store and send, whatever was written.
 */
export function quote(text: string): string {
  const max = LIMITS.maxQuotedLength;
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

/** Renders path segments as users read them: `strategy.canary.steps[2].setWeight`; long keys are shortened. */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment) && segment.length <= LIMITS.maxQuotedLength) text += text === '' ? segment : `.${segment}`;
    else text += `[${quote(segment)}]`;
  }
  return text;
}

/**
 * The candidate closest to `word`, when close enough to be a plausible typo (case differences count
 * as small, so `setweight` suggests `setWeight`).
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  // Allow roughly one edit per three characters: `setWeigth` → `setWeight`, but `foo` suggests nothing.
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a 100,000-character key is compared with nothing.
    if (Math.abs(word.length - candidate.length) > limit) continue;
    const distance =
      candidate.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Damerau–Levenshtein distance (optimal string alignment): transpositions are one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
