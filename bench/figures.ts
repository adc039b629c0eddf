/**
 * The benchmark's vocabulary: a section measures something and returns
 * figures (each key names the figure and its unit, e.g. `status_ack_p50_ms_c1`)
 * and the targets those figures are held to. Later capabilities add a section
 * to the list in bench/index.ts; the report prints whatever they return.
 */
import type { BenchContext } from './context';

/** One measured number. */
export interface Figure {
  /** Snake case, ending with its unit (`_ms`, `_mb`, `_ratio`, a count…): the JSON key. */
  key: string;
  /** For a person reading the text report. */
  label: string;
  value: number;
  /** Shown after the value in the text report ('ms', 'MB', '×', '' for counts). */
  unit: string;
  /** Decimals in the text report (JSON keeps `jsonDecimals`, default 3). */
  decimals?: number;
}

/** A limit from the issue, checked against one figure. */
export interface Target {
  /** The figure it applies to. */
  figureKey: string;
  /** e.g. 'ack p99 < 50 ms at concurrency 20'. */
  description: string;
  /** '>=' for a figure that must reach its limit (e.g. 100 %). */
  comparison: '<' | '<=' | '>=';
  limit: number;
}

export interface TargetResult extends Target {
  value: number;
  pass: boolean;
}

export interface SectionResult {
  figures: Figure[];
  targets: Target[];
  /** Caveats and counts worth reading next to the figures. */
  notes: string[];
}

export interface BenchSection {
  /** Heading of the section in the text report. */
  title: string;
  run(context: BenchContext): Promise<SectionResult>;
}

export interface CompletedSection extends SectionResult {
  title: string;
  durationMs: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
/** `value` to `decimals` places, as a number (for the JSON report). */
export const round = (value: number, decimals = 3): number => Number(value.toFixed(decimals));

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

export function checkTarget(target: Target, figures: ReadonlyMap<string, Figure>): TargetResult {
  const figure = figures.get(target.figureKey);
  if (!figure) throw new Error(`target "${target.description}" refers to a missing figure ${target.figureKey}`);
  const pass =
    target.comparison === '<'
      ? figure.value < target.limit
      : target.comparison === '<='
        ? figure.value <= target.limit
        : figure.value >= target.limit;
  return { ...target, value: figure.value, pass };
}
