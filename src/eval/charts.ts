import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to a standalone SVG string (headless: no canvas, no DOM, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white' } as const;

export interface SeriesPoint {
  series: string;
  x: number;
  y: number;
  panel?: string;
}

/** Line chart of several series, optionally one panel per `panel` value (training curves, reward curves). */
export function lineChart(points: SeriesPoint[], opts: { x: string; y: string; title: string; panels?: boolean; width?: number }): TopLevelSpec {
  const enc = {
    x: { field: 'x', type: 'quantitative', title: opts.x },
    y: { field: 'y', type: 'quantitative', title: opts.y, scale: { zero: false } },
    color: { field: 'series', type: 'nominal', title: null },
  } as const;
  if (opts.panels) {
    return {
      ...BASE,
      title: opts.title,
      data: { values: points },
      facet: { field: 'panel', type: 'nominal', title: null },
      columns: 3,
      spec: { width: opts.width ?? 220, height: 150, mark: { type: 'line', point: false }, encoding: enc },
      // Independent x too: panels mix per-epoch curves (x = epoch) with per-update ones (x = global_step).
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as TopLevelSpec;
  }
  return { ...BASE, title: opts.title, width: opts.width ?? 480, height: 240, data: { values: points }, mark: 'line', encoding: enc } as TopLevelSpec;
}

export interface BarRow {
  group: string;
  metric: string;
  mean: number;
  std: number;
  n: number;
}

/** Mean bars with ± std error bars, one panel per metric (paper 000 Fig. 3–4 style). */
export function barsWithErrors(rows: BarRow[], title: string): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, lo: r.mean - r.std, hi: r.mean + r.std }));
  return {
    ...BASE,
    title,
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: 28 },
      height: 160,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: -40 } }, y: { field: 'mean', type: 'quantitative', title: 'mean ± std' }, color: { field: 'group', type: 'nominal', legend: null } } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'group', type: 'nominal' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  } as TopLevelSpec;
}

/** Confusion-matrix heat map with counts (rows: true class, columns: predicted). */
export function confusionHeatmap(classes: string[], matrix: number[][], title: string): TopLevelSpec {
  const values: { truth: string; predicted: string; count: number; share: number }[] = [];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((c, j) => values.push({ truth: classes[i], predicted: classes[j], count: c, share: c / total }));
  });
  const order = { sort: classes };
  return {
    ...BASE,
    title,
    data: { values },
    width: Math.max(160, 34 * classes.length),
    height: Math.max(160, 34 * classes.length),
    encoding: {
      x: { field: 'predicted', type: 'ordinal', ...order, title: 'predicted' },
      y: { field: 'truth', type: 'ordinal', ...order, title: 'true' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', title: 'row share', scale: { scheme: 'blues', domain: [0, 1] } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } } },
    ],
  } as TopLevelSpec;
}

export interface RocSeries {
  label: string;
  fpr: number[];
  tpr: number[];
  auc?: number;
}

/** One-vs-rest ROC curves with the chance diagonal (paper 000 Fig. 2). */
export function rocChart(curves: RocSeries[], title: string): TopLevelSpec {
  const values = curves.flatMap((c) =>
    c.fpr.map((f, k) => ({ series: c.auc === undefined ? c.label : `${c.label} (AUC ${c.auc.toFixed(3)})`, fpr: f, tpr: c.tpr[k], k })),
  );
  return {
    ...BASE,
    title,
    width: 300,
    height: 300,
    layer: [
      { data: { values: [{ a: 0, b: 0 }, { a: 1, b: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } },
      {
        data: { values },
        mark: 'line',
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
          color: { field: 'series', type: 'nominal', title: null },
          order: { field: 'k', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}
