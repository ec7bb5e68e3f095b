/**
 * A small gradient-boosted decision tree trainer for binary labels (pure, deterministic), writing LightGBM's
 * JSON dump format so the same evaluator serves LightGBM-trained and home-trained models.
 *
 * The method is LightGBM's in miniature: log-loss gradients and Hessians, features bucketed into quantile
 * histograms, trees grown leaf-wise (best gain first) with L2-regularised leaf values, shrinkage, and the
 * initial log-odds folded into the first tree's leaves (LightGBM's boost_from_average: the dump has no separate
 * base score). A feature with missing values in training gets missing_type NaN and the default direction that
 * gains more; one without gets missing_type None.
 */
import type { LightGbmModel, LightGbmNode } from "../../schemas/model";

export type TrainParams = {
  rounds: number;
  learningRate: number;
  numLeaves: number;
  maxDepth: number;
  minDataInLeaf: number;
  lambdaL2: number;
  maxBins: number;
  minGain: number;
};

export const DEFAULT_TRAIN: TrainParams = { rounds: 60, learningRate: 0.08, numLeaves: 12, maxDepth: 5, minDataInLeaf: 60, lambdaL2: 1, maxBins: 48, minGain: 1e-6 };

type Binned = {
  /** Per feature, the upper edge (inclusive) of each bin; the last bin is open-ended. */
  cuts: number[][];
  /** bins[f][row]: bin index, or -1 for a missing value. */
  bins: Int16Array[];
  hasMissing: boolean[];
  min: number[];
  max: number[];
};

function binFeatures(X: number[][], maxBins: number): Binned {
  const nF = X[0]?.length ?? 0;
  const cuts: number[][] = [];
  const bins: Int16Array[] = [];
  const hasMissing: boolean[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let f = 0; f < nF; f++) {
    const vals = X.map((r) => r[f]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const distinct = [...new Set(vals)];
    let edges: number[];
    if (distinct.length <= maxBins) {
      // Thresholds half-way between neighbouring values, as LightGBM places them.
      edges = distinct.slice(0, -1).map((v, i) => (v + distinct[i + 1]) / 2);
    } else {
      const set = new Set<number>();
      for (let b = 1; b < maxBins; b++) {
        const q = vals[Math.floor((b * vals.length) / maxBins)];
        const next = vals.find((v) => v > q);
        if (next !== undefined) set.add((q + next) / 2);
      }
      edges = [...set].sort((a, b) => a - b);
    }
    cuts.push(edges);
    const col = new Int16Array(X.length);
    let missing = false;
    X.forEach((r, i) => {
      const v = r[f];
      if (Number.isNaN(v)) {
        col[i] = -1;
        missing = true;
        return;
      }
      let lo = 0;
      let hi = edges.length; // bin = number of edges strictly below v
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= edges[mid]) hi = mid;
        else lo = mid + 1;
      }
      col[i] = lo;
    });
    bins.push(col);
    hasMissing.push(missing);
    min.push(vals[0] ?? 0);
    max.push(vals.at(-1) ?? 0);
  }
  return { cuts, bins, hasMissing, min, max };
}

type Split = { gain: number; feature: number; bin: number; defaultLeft: boolean; leftRows: number[]; rightRows: number[] };

const score = (g: number, h: number, lambda: number) => (g * g) / (h + lambda);

function bestSplit(rows: number[], grad: Float64Array, hess: Float64Array, B: Binned, p: TrainParams): Split | null {
  let G = 0;
  let H = 0;
  for (const r of rows) {
    G += grad[r];
    H += hess[r];
  }
  const parent = score(G, H, p.lambdaL2);
  let best: Omit<Split, "leftRows" | "rightRows"> | null = null;
  for (let f = 0; f < B.bins.length; f++) {
    const nb = B.cuts[f].length + 1;
    if (nb < 2) continue;
    const hg = new Float64Array(nb);
    const hh = new Float64Array(nb);
    const hc = new Int32Array(nb);
    let mg = 0;
    let mh = 0;
    let mc = 0;
    const col = B.bins[f];
    for (const r of rows) {
      const b = col[r];
      if (b < 0) {
        mg += grad[r];
        mh += hess[r];
        mc++;
      } else {
        hg[b] += grad[r];
        hh[b] += hess[r];
        hc[b]++;
      }
    }
    let lg = 0;
    let lh = 0;
    let lc = 0;
    for (let b = 0; b < nb - 1; b++) {
      lg += hg[b];
      lh += hh[b];
      lc += hc[b];
      // Missing values (if any) go to whichever side gains more: that becomes default_left.
      for (const missLeft of mc > 0 ? [false, true] : [false]) {
        const cl = lc + (missLeft ? mc : 0);
        const cr = rows.length - cl;
        if (cl < p.minDataInLeaf || cr < p.minDataInLeaf) continue;
        const gl = lg + (missLeft ? mg : 0);
        const hl = lh + (missLeft ? mh : 0);
        const gain = score(gl, hl, p.lambdaL2) + score(G - gl, H - hl, p.lambdaL2) - parent;
        if (gain > p.minGain && (!best || gain > best.gain)) best = { gain, feature: f, bin: b, defaultLeft: missLeft };
      }
    }
  }
  if (!best) return null;
  const leftRows: number[] = [];
  const rightRows: number[] = [];
  const col = B.bins[best.feature];
  for (const r of rows) {
    const b = col[r];
    if (b < 0 ? best.defaultLeft : b <= best.bin) leftRows.push(r);
    else rightRows.push(r);
  }
  return { ...best, leftRows, rightRows };
}

type Built = { dump: LightGbmNode; leafOfRow: Map<number, number>; leafValues: number[] };

/** Grows one tree leaf-wise on the current gradients; leaf values include shrinkage (and `bias` when given). */
function growTree(rowsAll: number[], grad: Float64Array, hess: Float64Array, B: Binned, p: TrainParams, bias: number): Built {
  type Work = { rows: number[]; depth: number; split: Split | null };
  type Tmp = { work: Work; children?: [Tmp, Tmp]; split?: Split };
  const make = (rows: number[], depth: number): Tmp => ({ work: { rows, depth, split: depth < p.maxDepth ? bestSplit(rows, grad, hess, B, p) : null } });
  const root = make(rowsAll, 0);
  const leaves: Tmp[] = [root];
  while (leaves.length < p.numLeaves) {
    let bi = -1;
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i].work.split;
      if (s && (bi < 0 || s.gain > leaves[bi].work.split!.gain)) bi = i;
    }
    if (bi < 0) break;
    const t = leaves[bi];
    const s = t.work.split!;
    t.split = s;
    t.children = [make(s.leftRows, t.work.depth + 1), make(s.rightRows, t.work.depth + 1)];
    leaves.splice(bi, 1, ...t.children);
  }
  const leafOfRow = new Map<number, number>();
  const leafValues: number[] = [];
  let splitIndex = 0;
  const sums = (rows: number[]) => {
    let g = 0;
    let h = 0;
    for (const r of rows) {
      g += grad[r];
      h += hess[r];
    }
    return { g, h };
  };
  const emit = (t: Tmp): LightGbmNode => {
    const { g, h } = sums(t.work.rows);
    const value = (-g / (h + p.lambdaL2)) * p.learningRate + bias;
    if (!t.children) {
      const idx = leafValues.length;
      leafValues.push(value);
      for (const r of t.work.rows) leafOfRow.set(r, idx);
      return { leaf_index: idx, leaf_value: value, leaf_weight: h, leaf_count: t.work.rows.length };
    }
    const s = t.split!;
    const node = {
      split_index: splitIndex++,
      split_feature: s.feature,
      split_gain: s.gain,
      threshold: B.cuts[s.feature][s.bin],
      decision_type: "<=" as const,
      default_left: s.defaultLeft,
      missing_type: B.hasMissing[s.feature] ? ("NaN" as const) : ("None" as const),
      internal_value: value,
      internal_weight: h,
      internal_count: t.work.rows.length,
    };
    const left = emit(t.children[0]);
    const right = emit(t.children[1]);
    return { ...node, left_child: left, right_child: right };
  };
  return { dump: emit(root), leafOfRow, leafValues };
}

/** `raw`: the trainer's own raw score of every training row (summed from the leaves it assigned, not by walking thresholds). */
export type TrainResult = { model: LightGbmModel & Record<string, unknown>; trainLogLoss: number; raw: Float64Array };

/** Fits a binary GBDT on rows X (NaN = missing) and labels y (0/1). Deterministic for the same input. */
export function trainBinaryGbdt(X: number[][], y: number[], featureNames: readonly string[], params: Partial<TrainParams> = {}): TrainResult {
  const p = { ...DEFAULT_TRAIN, ...params };
  const n = X.length;
  if (n === 0 || y.length !== n) throw new RangeError("trainBinaryGbdt: need as many labels as rows, and at least one row");
  const B = binFeatures(X, p.maxBins);
  const positive = y.reduce((a, b) => a + b, 0) / n;
  const pClamped = Math.min(1 - 1e-6, Math.max(1e-6, positive));
  const init = Math.log(pClamped / (1 - pClamped));
  const raw = new Float64Array(n).fill(init);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const all = Array.from({ length: n }, (_, i) => i);
  const trees: LightGbmModel["tree_info"] = [];
  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const prob = 1 / (1 + Math.exp(-raw[i]));
      grad[i] = prob - y[i];
      hess[i] = Math.max(prob * (1 - prob), 1e-16);
    }
    // boost_from_average: the starting log-odds lives in the first tree's leaves, as in LightGBM's dumps.
    const built = growTree(all, grad, hess, B, p, round === 0 ? init : 0);
    for (let i = 0; i < n; i++) raw[i] = (round === 0 ? 0 : raw[i]) + built.leafValues[built.leafOfRow.get(i)!];
    trees.push({ tree_index: round, num_leaves: built.leafValues.length, shrinkage: p.learningRate, tree_structure: built.dump });
  }
  let ll = 0;
  for (let i = 0; i < n; i++) ll += logLoss(y[i], 1 / (1 + Math.exp(-raw[i])));
  const model = {
    name: "tree",
    version: "v4",
    num_class: 1,
    num_tree_per_iteration: 1,
    label_index: 0,
    max_feature_idx: featureNames.length - 1,
    objective: "binary sigmoid:1",
    average_output: false,
    feature_names: [...featureNames],
    monotone_constraints: [],
    feature_infos: Object.fromEntries(featureNames.map((f, i) => [f, { min_value: B.min[i], max_value: B.max[i], values: [] }])),
    tree_info: trees.map((t) => ({ ...t, num_cat: 0 })),
    feature_importances: {},
    pandas_categorical: null,
  };
  return { model, trainLogLoss: ll / n, raw };
}

export function logLoss(label: number, prob: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, prob));
  return -(label * Math.log(q) + (1 - label) * Math.log(1 - q));
}

/** Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged. */
export function auc(labels: readonly number[], scores: readonly number[]): number {
  const idx = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k][1]] = r;
    i = j + 1;
  }
  let pos = 0;
  let sumPos = 0;
  labels.forEach((l, i) => {
    if (l === 1) {
      pos++;
      sumPos += ranks[i];
    }
  });
  const neg = labels.length - pos;
  return pos === 0 || neg === 0 ? 0.5 : (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
