/** Prints the sections' figures and targets: a table for people, or one JSON object (--json). */
import { checkTarget, type CompletedSection, type Figure, type TargetResult } from './figures';

export interface BenchReport {
  sections: CompletedSection[];
  meta: { node: string; cpus: number; platform: string; startedAt: string; durationS: number; loadGenerator: 'thread' | 'inline' };
}

function allFigures(report: BenchReport): Map<string, Figure> {
  const figures = new Map<string, Figure>();
  for (const section of report.sections) {
    for (const figure of section.figures) {
      if (figures.has(figure.key)) throw new Error(`two figures are named ${figure.key}`);
      figures.set(figure.key, figure);
    }
  }
  return figures;
}

export function evaluateTargets(report: BenchReport): TargetResult[] {
  const figures = allFigures(report);
  return report.sections.flatMap((section) => section.targets.map((target) => checkTarget(target, figures)));
}

const formatValue = (figure: Figure): string => {
  const text = figure.value.toFixed(figure.decimals ?? 2);
  return figure.unit === '' ? text : figure.unit === '×' ? `${text}×` : `${text} ${figure.unit}`;
};

export function renderText(report: BenchReport): string {
  const targets = evaluateTargets(report);
  const targetsByFigure = new Map<string, TargetResult[]>();
  for (const target of targets) targetsByFigure.set(target.figureKey, [...(targetsByFigure.get(target.figureKey) ?? []), target]);
  const labelWidth = Math.max(...report.sections.flatMap((s) => s.figures.map((f) => f.label.length)), 10);
  const valueWidth = Math.max(...report.sections.flatMap((s) => s.figures.map((f) => formatValue(f).length)), 8);
  const lines: string[] = [];
  const { meta } = report;
  lines.push(
    `release-conductor benchmark — Node ${meta.node}, ${meta.cpus} CPUs, ${meta.platform}, started ${meta.startedAt}, took ${meta.durationS.toFixed(1)} s`,
  );
  lines.push(
    meta.loadGenerator === 'thread'
      ? 'Load generator on its own thread (same process); the bot, bare Bolt and the fakes share the main event loop.'
      : 'Load generator INLINE, on the same event loop as the bot, bare Bolt and the fakes (--inline-client).',
  );
  for (const section of report.sections) {
    lines.push('', `== ${section.title}  (${(section.durationMs / 1000).toFixed(1)} s)`);
    for (const figure of section.figures) {
      const checks = (targetsByFigure.get(figure.key) ?? [])
        .map(
          (t) =>
            `${t.pass ? 'PASS' : 'FAIL'}  target ${t.comparison} ${t.limit}${figure.unit === '×' ? '×' : figure.unit ? ` ${figure.unit}` : ''}`,
        )
        .join('; ');
      lines.push(`  ${figure.label.padEnd(labelWidth)}  ${formatValue(figure).padStart(valueWidth)}  ${checks}`.trimEnd());
    }
    for (const note of section.notes) lines.push(`  note: ${note}`);
  }
  const failed = targets.filter((t) => !t.pass);
  lines.push('', `== Targets: ${targets.length - failed.length} of ${targets.length} met`);
  for (const target of targets) {
    lines.push(`  ${target.pass ? 'PASS' : 'FAIL'}  ${target.description}  (measured ${target.value}, ${target.figureKey})`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One JSON object on one line: every figure by its key (the key names the
 * unit), then the targets and notes. One line, so that behind npm's own banner
 * (`npm run bench` without `-s`) the last line is still the whole object.
 */
export function renderJson(report: BenchReport): string {
  const figures: Record<string, number> = {};
  for (const [key, figure] of allFigures(report)) figures[key] = figure.value;
  const targets = evaluateTargets(report);
  return `${JSON.stringify({
    ...figures,
    targets: targets.map((t) => ({
      figure: t.figureKey,
      description: t.description,
      comparison: t.comparison,
      limit: t.limit,
      value: t.value,
      pass: t.pass,
    })),
    targets_met: targets.filter((t) => t.pass).length,
    targets_total: targets.length,
    notes: report.sections.flatMap((s) => s.notes.map((note) => `${s.title}: ${note}`)),
    node_version: report.meta.node,
    cpus: report.meta.cpus,
    load_generator: report.meta.loadGenerator,
    started_at: report.meta.startedAt,
    bench_duration_s: Number(report.meta.durationS.toFixed(1)),
  })}\n`;
}
