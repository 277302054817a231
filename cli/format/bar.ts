/**
 * Draws the share of traffic on the new version as a bar, e.g. `████░░░░░░  40%`. Any traffic at all
 * shows at least one full cell, and anything short of 100% leaves at least one empty cell, so 1% and
 * 99% never look like 0% and 100%.
 */
export function trafficBar(percent: number, width = 20): string {
  let filled = Math.round((percent / 100) * width);
  if (percent > 0 && filled === 0) filled = 1;
  if (percent < 100 && filled === width) filled = width - 1;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${formatPercent(percent).padStart(4)}`;
}

/** `10%`, `0.5%`, `33.33%`: at most two decimals, no trailing zeros. */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
