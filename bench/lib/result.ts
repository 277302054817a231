/** One row of docs/performance.md: a figure next to its target. */
export interface FigureRow {
  /** What is measured, e.g. "reaction time, check interval 60 s". */
  readonly measure: string;
  /** The measured value as shown, e.g. "43.2 s simulated (median of 7)". */
  readonly value: string;
  readonly target: string;
  /** undefined: informational, no target of its own. */
  readonly pass?: boolean;
  /** Shown in the figure's own section only, not in the summary table. */
  readonly detail?: boolean;
}

/** What a figure module returns: its rows for the table, its prose, and everything it measured. */
export interface FigureResult {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly FigureRow[];
  /** Markdown paragraphs: how it was measured, and for a miss by how much, why and what would fix it. */
  readonly notes: readonly string[];
  /** Load average (1 min) when the figure started and ended. */
  readonly load: { readonly before: number; readonly after: number };
  /** Time scale(s) used (real seconds per simulated second); null when nothing ran on the simulated clock. */
  readonly timeScale: number | readonly number[] | null;
  /** Real seconds the figure took. */
  readonly seconds: number;
  /** The raw measurements, for latest.json. */
  readonly data: unknown;
  /** When the figure was measured, if later than the report it is in (`--only … --merge`). */
  readonly measuredAt?: string;
}

/** A figure: runs its measurements and reports them. */
export interface Figure {
  readonly id: string;
  readonly title: string;
  run(options: { readonly quick: boolean }): Promise<Omit<FigureResult, 'id' | 'title' | 'load' | 'seconds'>>;
}
