/*
 * Fisher's exact test for two proportions, one-sided: is the new version's error rate above the
 * old version's, given what both served over the same minutes? Exact at any count, so a canary
 * judged on 30 calls is judged correctly (docs/spec.md#baseline explains the choice).
 */

// Lanczos approximation (g = 7, n = 9): ln Γ to about 15 significant digits.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** Failures out of trials of one arm. */
export interface Proportion {
  readonly failures: number;
  readonly trials: number;
}

/**
 * The one-sided p-value of Fisher's exact test that `treatment`'s failure rate is above
 * `control`'s: P(X ≥ a) where X, the treatment's failures, is hypergeometric given the margins
 * (all trials, all failures, the treatment's trials). Small means "significantly higher".
 * 1 when either arm has no trials (nothing to compare).
 */
export function fisherGreaterPValue(treatment: Proportion, control: Proportion): number {
  const a = treatment.failures;
  const n = treatment.trials;
  const total = n + control.trials;
  const failures = a + control.failures;
  if (n <= 0 || control.trials <= 0) return 1;
  const low = Math.max(0, failures - control.trials);
  const high = Math.min(failures, n);
  if (a <= low) return 1;
  // P(X = x) = C(K, x) C(N - K, n - x) / C(N, n); summed from a upwards, each term from the last by their ratio.
  const logDenominator = logChoose(total, n);
  let term = Math.exp(logChoose(failures, a) + logChoose(total - failures, n - a) - logDenominator);
  let sum = term;
  for (let x = a; x < high; x++) {
    term *= ((failures - x) * (n - x)) / ((x + 1) * (total - failures - n + x + 1));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}
