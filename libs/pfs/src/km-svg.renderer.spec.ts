import { convert } from 'xmlbuilder2';
import { kaplanMeier, medianSurvival, survivalAt } from '@trial-ledger/survival';
import type { PfsAnalysis } from './analyse-pfs';
import { renderKmSvg } from './km-svg.renderer';
import { pfsFigureTexts } from './pfs-figures.text';

type XmlNode = { [key: string]: unknown };

const analysisOf = (data: Array<[number, boolean]>): PfsAnalysis => {
  const km = kaplanMeier(data.map(([time, event]) => ({ time, event })));
  return {
    studyId: 'LANR-HGNET-01',
    horizonDays: 365,
    cutoff: '2026-12-31',
    asKnownAt: null,
    subjects: [],
    summary: { n: data.length, events: data.filter(([, e]) => e).length, censored: data.filter(([, e]) => !e).length },
    km,
    median: medianSurvival(km),
    rates: [182, 365].map((d) => survivalAt(km, d)),
  };
};

/** All elements named `name` anywhere under `node` (xmlbuilder2's object form: arrays for repeats). */
const findAll = (node: unknown, name: string): XmlNode[] => {
  if (Array.isArray(node)) return node.flatMap((n) => findAll(n, name));
  if (node === null || typeof node !== 'object') return [];
  const found: XmlNode[] = [];
  for (const [key, value] of Object.entries(node as XmlNode)) {
    if (key === name) found.push(...(Array.isArray(value) ? value : [value]).filter((v): v is XmlNode => typeof v === 'object' && v !== null));
    found.push(...findAll(value, name));
  }
  return found;
};
const byClass = (nodes: XmlNode[], cls: string): XmlNode[] => nodes.filter((n) => String(n['@class'] ?? '').split(' ').includes(cls));
const textOf = (n: XmlNode): string => String(n['#'] ?? '');

describe('Kaplan–Meier SVG', () => {
  const data: Array<[number, boolean]> = [[1, false], [85, true], [85, false], [85, false], [120, true], [169, true], [253, true], [337, false]];
  const svg = renderKmSvg(analysisOf(data));
  const doc = convert(svg, { format: 'object' }) as XmlNode;

  it('is a well-formed SVG document of the stated size', () => {
    const root = doc.svg as XmlNode;
    expect(root['@xmlns']).toBe('http://www.w3.org/2000/svg');
    expect([root['@width'], root['@height']]).toEqual(['900', '650']);
    expect(findAll(doc, 'title').map(textOf)[0]).toContain('cutoff 2026-12-31');
  });

  it('draws the step function from S = 1 down through every event, with a confidence band', () => {
    const paths = findAll(doc, 'path');
    const [step] = byClass(paths, 'km-step');
    const d = String(step['@d']);
    expect(d.startsWith('M 80 ')).toBe(true);
    // Four distinct event times → four vertical drops.
    expect(d.match(/ V /g)).toHaveLength(4);
    const [band] = byClass(paths, 'km-ci');
    expect(String(band['@d'])).toMatch(/^M .* Z$/);
  });

  it('marks each censored time with a tick', () => {
    const ticks = byClass(findAll(doc, 'line'), 'km-censor');
    expect(ticks.map((t) => t['@data-time'])).toEqual(['1', '85', '337']);
    expect(ticks.map((t) => t['@data-n'])).toEqual(['1', '2', '1']);
  });

  it('marks the median and labels it with its CI', () => {
    expect(byClass(findAll(doc, 'line'), 'median-marker')).toHaveLength(2);
    expect(byClass(findAll(doc, 'text'), 'median-label').map(textOf)).toEqual(['Median PFS 169 days (95 % CI 85–NR)']);
    // R: one subject with an event on day 10 → median 10, 0.95LCL NA, 0.95UCL NA (the curve falls to 0)
    const single = convert(renderKmSvg(analysisOf([[10, true]])), { format: 'object' }) as XmlNode;
    expect(byClass(findAll(single, 'text'), 'median-label').map(textOf)).toEqual(['Median PFS 10 days (95 % CI NE–NE)']);
    expect(findAll(doc, 'text').map(textOf)).toContain('95 % CI (log-log)');
  });

  it('labels both axes and prints the number at risk under the time axis', () => {
    const texts = findAll(doc, 'text');
    expect(byClass(texts, 'axis-label').map(textOf)).toEqual(['Days since enrollment (horizon 365 days)', 'Progression-free survival probability']);
    const risk = byClass(texts, 'risk-count');
    expect(risk.map((r) => [r['@data-day'], textOf(r)])).toEqual([
      ['0', '8'], ['90', '4'], ['180', '2'], ['270', '1'], ['360', '0'],
    ]);
  });

  it.each([
    [270, ['0', '90', '180', '270']],
    [365, ['0', '90', '180', '270', '360']],
    [180, ['0', '30', '60', '90', '120', '150', '180']],
    [730, ['0', '180', '360', '540', '720']],
  ])('given a %i-day horizon, then the time axis is marked at round days (the horizon only when round)', (horizonDays, labels) => {
    const plot = convert(renderKmSvg({ ...analysisOf([[10, true], [40, false]]), horizonDays }), { format: 'object' });
    expect(byClass(findAll(plot, 'text'), 'x-tick-label').map(textOf)).toEqual(labels);
  });

  it('given no subject in the analysis (a replay before the first enrollment), then the median is not estimable, not "not reached"', () => {
    const empty = analysisOf([]);
    const svg = convert(renderKmSvg(empty), { format: 'object' });
    expect(byClass(findAll(svg, 'text'), 'median-label').map(textOf)).toEqual(['Median PFS not estimable (no subjects)']);
    expect(pfsFigureTexts(empty).median).toBe('not estimable (no subjects) (95 % CI NE–NE)');
  });

  it('says "not reached" when the curve stays above one half', () => {
    const high = convert(renderKmSvg(analysisOf([[100, true], [200, false], [300, false], [365, false]])), { format: 'object' });
    expect(byClass(findAll(high, 'text'), 'median-label').map(textOf)).toEqual(['Median PFS not reached']);
  });
});
