import { create } from 'xmlbuilder2';
import type { PfsAnalysis } from './analyse-pfs';
import { CI_95, curveEndsAtZero, medianInWords, NO_SUBJECTS } from './pfs-figures.text';

export interface KmSvgOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  /** Days between x-axis ticks (and number-at-risk columns); by default a round step (`roundTickDays`). */
  readonly tickDays?: number;
}

/** xmlbuilder2 does not export its builder interface from the package root. */
type XMLBuilder = ReturnType<typeof create>;

const SVG_NS = 'http://www.w3.org/2000/svg';
const MARGIN = { left: 80, right: 30, top: 50, bottom: 150 };
const fmt = (n: number): string => (Math.round(n * 100) / 100).toString();

/**
 * The Kaplan–Meier curve of the PFS analysis as a standalone SVG: the step function, a tick at each
 * censored time, the pointwise 95 % log-log confidence band, the median marked, axis labels and the
 * number at risk under the time axis (CONSORT/ICH E3 figure conventions).
 */
export const renderKmSvg = (analysis: PfsAnalysis, options: KmSvgOptions = {}): string => {
  const width = options.width ?? 900;
  const height = options.height ?? 650;
  const lastTime = analysis.km.at(-1)?.time ?? 0;
  const maxDay = Math.max(analysis.horizonDays, lastTime);
  const tickDays = options.tickDays ?? roundTickDays(maxDay);
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: MARGIN.top, y1: height - MARGIN.bottom };
  const x = (day: number): number => plot.x0 + (day / maxDay) * (plot.x1 - plot.x0);
  const y = (s: number): number => plot.y1 - s * (plot.y1 - plot.y0);

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(SVG_NS, 'svg', {
    width: String(width),
    height: String(height),
    viewBox: `0 0 ${width} ${height}`,
    'font-family': 'Helvetica, Arial, sans-serif',
    'font-size': '13',
    role: 'img',
    'aria-labelledby': 'km-title',
  });
  const title =
    options.title ??
    `Progression-free survival — ${analysis.studyId}${analysis.cutoff ? `, cutoff ${analysis.cutoff}` : ''}${analysis.asKnownAt ? `, as known at ${analysis.asKnownAt}` : ''}`;
  root.ele('title', { id: 'km-title' }).txt(title);
  root.ele('rect', { x: '0', y: '0', width: String(width), height: String(height), fill: 'white' });
  root.ele('text', { x: String(width / 2), y: '28', 'text-anchor': 'middle', 'font-size': '16', 'font-weight': 'bold', class: 'km-title' }).txt(title);

  drawAxes(root, analysis, { plot, x, y, maxDay, tickDays });
  const curve = root.ele('g', { id: 'km-curve' });
  curve.ele('path', { class: 'km-ci', d: bandPath(analysis, x, y, maxDay), fill: '#1f77b4', 'fill-opacity': '0.18', stroke: 'none' });
  curve.ele('path', { class: 'km-step', d: stepPath(analysis, x, y), fill: 'none', stroke: '#1f77b4', 'stroke-width': '2' });
  const ticks = curve.ele('g', { class: 'km-censor-ticks', stroke: '#1f77b4', 'stroke-width': '1.5' });
  for (const row of analysis.km.filter((r) => r.nCensor > 0)) {
    ticks.ele('line', { class: 'km-censor', x1: fmt(x(row.time)), x2: fmt(x(row.time)), y1: fmt(y(row.survival) - 6), y2: fmt(y(row.survival) + 6), 'data-time': String(row.time), 'data-n': String(row.nCensor) });
  }
  drawMedian(root, analysis, x, y);
  drawLegend(root, plot);
  drawNumberAtRisk(root, analysis, { plot, x, maxDay, tickDays });
  return root.end({ prettyPrint: true });
};

type Geometry = { plot: { x0: number; x1: number; y0: number; y1: number }; x: (d: number) => number; y: (s: number) => number; maxDay: number; tickDays: number };

/** Steps a reader counts in: days, weeks, months (30), quarters (90), half-years and years (360 keeps multiples of 90). */
const ROUND_STEPS = [1, 2, 5, 7, 14, 30, 90, 180, 360];
const MAX_INTERVALS = 6;

/**
 * The smallest round step that marks the axis at most six times past 0: 90 days for a 270- or 365-day
 * horizon (0, 90, 180, 270, 360), 30 for 180 days, 180 for two years; past ten years, whole multiples of 360.
 */
export const roundTickDays = (maxDay: number): number =>
  ROUND_STEPS.find((step) => maxDay / step <= MAX_INTERVALS) ?? Math.ceil(maxDay / MAX_INTERVALS / 360) * 360;

/**
 * Multiples of `tickDays` within the axis: the horizon is marked only when it is one of them (a 365-day axis
 * ends past its 360 tick rather than at an uneven 0, 91, 182, 273, 365, or a 270-day one at 0, 91, 182, 270).
 */
const dayTicks = (maxDay: number, tickDays: number): number[] => {
  const ticks: number[] = [];
  for (let d = 0; d <= maxDay; d += tickDays) ticks.push(d);
  return ticks;
};

const drawAxes = (root: XMLBuilder, analysis: PfsAnalysis, g: Geometry): void => {
  const axes = root.ele('g', { id: 'km-axes', stroke: '#333', 'stroke-width': '1' });
  axes.ele('line', { class: 'x-axis', x1: fmt(g.plot.x0), x2: fmt(g.plot.x1), y1: fmt(g.plot.y1), y2: fmt(g.plot.y1) });
  axes.ele('line', { class: 'y-axis', x1: fmt(g.plot.x0), x2: fmt(g.plot.x0), y1: fmt(g.plot.y0), y2: fmt(g.plot.y1) });
  const labels = root.ele('g', { id: 'km-tick-labels', fill: '#333' });
  for (const d of dayTicks(g.maxDay, g.tickDays)) {
    axes.ele('line', { class: 'x-tick', x1: fmt(g.x(d)), x2: fmt(g.x(d)), y1: fmt(g.plot.y1), y2: fmt(g.plot.y1 + 5) });
    labels.ele('text', { class: 'x-tick-label', x: fmt(g.x(d)), y: fmt(g.plot.y1 + 20), 'text-anchor': 'middle' }).txt(String(d));
  }
  for (const s of [0, 0.25, 0.5, 0.75, 1]) {
    axes.ele('line', { class: 'y-tick', x1: fmt(g.plot.x0 - 5), x2: fmt(g.plot.x0), y1: fmt(g.y(s)), y2: fmt(g.y(s)) });
    axes.ele('line', { class: 'y-grid', x1: fmt(g.plot.x0), x2: fmt(g.plot.x1), y1: fmt(g.y(s)), y2: fmt(g.y(s)), stroke: '#ddd' });
    labels.ele('text', { class: 'y-tick-label', x: fmt(g.plot.x0 - 9), y: fmt(g.y(s) + 4), 'text-anchor': 'end' }).txt(s.toFixed(2));
  }
  root
    .ele('text', { class: 'axis-label x-label', x: fmt((g.plot.x0 + g.plot.x1) / 2), y: fmt(g.plot.y1 + 42), 'text-anchor': 'middle' })
    .txt(`Days since enrollment (horizon ${analysis.horizonDays} days)`);
  root
    .ele('text', { class: 'axis-label y-label', x: '0', y: '0', transform: `translate(22 ${fmt((g.plot.y0 + g.plot.y1) / 2)}) rotate(-90)`, 'text-anchor': 'middle' })
    .txt('Progression-free survival probability');
};

/** S(t) as a right-continuous step function from (0, 1) to the last observed time. */
const stepPath = (analysis: PfsAnalysis, x: (d: number) => number, y: (s: number) => number): string => {
  const parts = [`M ${fmt(x(0))} ${fmt(y(1))}`];
  let current = 1;
  for (const row of analysis.km) {
    parts.push(`H ${fmt(x(row.time))}`);
    if (row.survival !== current) {
      parts.push(`V ${fmt(y(row.survival))}`);
      current = row.survival;
    }
  }
  return parts.join(' ');
};

/**
 * The confidence band as one closed polygon: the upper limit stepping forward, the lower limit
 * stepping back. Where R gives no interval (S = 1 before the first event) the band is the curve itself;
 * where a limit is not estimable (S = 0) the band stops.
 */
const bandPath = (analysis: PfsAnalysis, x: (d: number) => number, y: (s: number) => number, _maxDay: number): string => {
  const segments: { from: number; to: number; lower: number; upper: number }[] = [];
  let from = 0;
  let lower = 1;
  let upper = 1;
  for (const row of analysis.km) {
    segments.push({ from, to: row.time, lower, upper });
    from = row.time;
    if (row.lower !== null && row.upper !== null) {
      lower = row.lower;
      upper = row.upper;
    } else if (row.survival < 1) {
      lower = row.survival;
      upper = row.survival;
    }
  }
  if (segments.length === 0) return '';
  const top = segments.flatMap((s) => [`${fmt(x(s.from))} ${fmt(y(s.upper))}`, `${fmt(x(s.to))} ${fmt(y(s.upper))}`]);
  const bottom = [...segments].reverse().flatMap((s) => [`${fmt(x(s.to))} ${fmt(y(s.lower))}`, `${fmt(x(s.from))} ${fmt(y(s.lower))}`]);
  return `M ${top.join(' L ')} L ${bottom.join(' L ')} Z`;
};

const drawMedian = (root: XMLBuilder, analysis: PfsAnalysis, x: (d: number) => number, y: (s: number) => number): void => {
  const g = root.ele('g', { id: 'km-median', stroke: '#d62728', 'stroke-dasharray': '5 4', 'stroke-width': '1.2' });
  const m = analysis.median;
  const words = medianInWords(m, analysis.summary.n, curveEndsAtZero(analysis.km));
  const ci = `${CI_95} ${words.lower}–${words.upper}`;
  if (analysis.summary.n === 0) {
    root.ele('text', { class: 'median-label', x: fmt(x(0) + 8), y: fmt(y(0.5) - 6), fill: '#d62728' }).txt(`Median PFS ${NO_SUBJECTS}`);
    return;
  }
  if (m.estimate === null) {
    g.ele('line', { class: 'median-marker', x1: fmt(x(0)), x2: fmt(x(analysis.km.at(-1)?.time ?? 0)), y1: fmt(y(0.5)), y2: fmt(y(0.5)) });
    root.ele('text', { class: 'median-label', x: fmt(x(0) + 8), y: fmt(y(0.5) - 6), fill: '#d62728' }).txt('Median PFS not reached');
    return;
  }
  g.ele('line', { class: 'median-marker', x1: fmt(x(0)), x2: fmt(x(m.estimate)), y1: fmt(y(0.5)), y2: fmt(y(0.5)) });
  g.ele('line', { class: 'median-marker', x1: fmt(x(m.estimate)), x2: fmt(x(m.estimate)), y1: fmt(y(0.5)), y2: fmt(y(0)) });
  root.ele('text', { class: 'median-label', x: fmt(x(m.estimate) + 6), y: fmt(y(0.5) - 8), fill: '#d62728' }).txt(`Median PFS ${m.estimate} days (${ci})`);
};

const drawLegend = (root: XMLBuilder, plot: Geometry['plot']): void => {
  const lx = plot.x1 - 230;
  const ly = plot.y0 + 10;
  const g = root.ele('g', { id: 'km-legend' });
  g.ele('rect', { x: fmt(lx - 10), y: fmt(ly - 5), width: '235', height: '72', fill: 'white', stroke: '#bbb' });
  g.ele('line', { x1: fmt(lx), x2: fmt(lx + 30), y1: fmt(ly + 10), y2: fmt(ly + 10), stroke: '#1f77b4', 'stroke-width': '2' });
  g.ele('text', { x: fmt(lx + 38), y: fmt(ly + 14) }).txt('Kaplan–Meier estimate');
  g.ele('rect', { x: fmt(lx), y: fmt(ly + 22), width: '30', height: '12', fill: '#1f77b4', 'fill-opacity': '0.18' });
  g.ele('text', { x: fmt(lx + 38), y: fmt(ly + 32) }).txt(`${CI_95} (log-log)`);
  g.ele('line', { x1: fmt(lx + 15), x2: fmt(lx + 15), y1: fmt(ly + 42), y2: fmt(ly + 56), stroke: '#1f77b4', 'stroke-width': '1.5' });
  g.ele('text', { x: fmt(lx + 38), y: fmt(ly + 54) }).txt('Censored');
};

/** Subjects still at risk at each tick: those whose time is at or after it (R's `n.risk` convention). */
const drawNumberAtRisk = (root: XMLBuilder, analysis: PfsAnalysis, g: Omit<Geometry, 'y'>): void => {
  const table = root.ele('g', { id: 'km-number-at-risk' });
  const top = g.plot.y1 + 75;
  table.ele('text', { class: 'risk-title', x: fmt(g.plot.x0 - 70), y: fmt(top), 'font-weight': 'bold' }).txt('Number at risk');
  for (const d of dayTicks(g.maxDay, g.tickDays)) {
    const row = analysis.km.find((r) => r.time >= d);
    const atRisk = row?.nRisk ?? 0;
    table.ele('text', { class: 'risk-count', x: fmt(g.x(d)), y: fmt(top + 22), 'text-anchor': 'middle', 'data-day': String(d) }).txt(String(atRisk));
  }
};
