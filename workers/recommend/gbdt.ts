/**
 * Gradient-boosted trees evaluator for LightGBM JSON model dumps (pure: no I/O).
 *
 * Evaluation follows LightGBM's own rules: the raw score is the sum of leaf values over the trees (tree i adds
 * to class i % num_tree_per_iteration; boost-from-average is already folded into the first tree's leaves);
 * a numerical split sends x left when x <= threshold; a missing input (NaN, null, undefined) goes to the
 * default side when missing_type is NaN, is read as 0 when missing_type is None, and with missing_type Zero
 * both NaN and |x| <= 1e-35 go to the default side.
 *
 * Trees are flattened into typed arrays once (compileModel) because a recommendation scores every surviving
 * candidate of a chain: walking arrays avoids chasing the dump's nested objects per row.
 */
import { LightGbmModel, type LightGbmNode } from "../../schemas/model";

const MISSING_NONE = 0;
const MISSING_ZERO = 1;
const MISSING_NAN = 2;
const ZERO_THRESHOLD = 1e-35;

/** One tree as arrays. Node ids >= 0 are splits; a child id < 0 is leaf ~id. */
type FlatTree = {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  missing: Uint8Array;
  /** Training rows through each split node (TreeSHAP's cover); NaN when the dump has none. */
  nodeCount: Float64Array;
  leafValue: Float64Array;
  leafCount: Float64Array;
  /** A tree that is a single leaf (LightGBM writes those when no split gains). */
  rootLeaf: boolean;
};

export type CompiledModel = {
  numClass: number;
  treesPerIteration: number;
  numFeatures: number;
  featureNames: string[];
  /** The link from the raw score: sigmoid for binary, softmax for multiclass, identity otherwise. */
  link: "sigmoid" | "softmax" | "identity";
  sigmoidScale: number;
  trees: FlatTree[];
};

export type FeatureRow = ArrayLike<number | null | undefined>;

function linkOf(m: LightGbmModel): { link: CompiledModel["link"]; sigmoidScale: number } {
  const obj = m.objective ?? "";
  if (/^(binary|cross_entropy|xentropy)/.test(obj)) {
    const s = /sigmoid:([0-9.eE+-]+)/.exec(obj);
    return { link: "sigmoid", sigmoidScale: s ? Number(s[1]) : 1 };
  }
  if (/^(multiclass|softmax)/.test(obj) && !/ova/.test(obj)) return { link: "softmax", sigmoidScale: 1 };
  // Old dumps (format v2) carry no objective: the caller applies the link it knows (identity here).
  return { link: "identity", sigmoidScale: 1 };
}

function flatten(root: LightGbmNode): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const defaultLeft: number[] = [];
  const missing: number[] = [];
  const nodeCount: number[] = [];
  const leafValue: number[] = [];
  const leafCount: number[] = [];

  const visit = (n: LightGbmNode): number => {
    if (!("split_feature" in n)) {
      leafValue.push(n.leaf_value);
      leafCount.push(n.leaf_count ?? Number.NaN);
      return ~(leafValue.length - 1);
    }
    const id = feature.length;
    feature.push(n.split_feature);
    threshold.push(n.threshold);
    defaultLeft.push(n.default_left ? 1 : 0);
    missing.push(n.missing_type === "NaN" ? MISSING_NAN : n.missing_type === "Zero" ? MISSING_ZERO : MISSING_NONE);
    nodeCount.push(n.internal_count ?? Number.NaN);
    left.push(0);
    right.push(0);
    left[id] = visit(n.left_child);
    right[id] = visit(n.right_child);
    return id;
  };
  const rootId = visit(root);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    defaultLeft: Uint8Array.from(defaultLeft),
    missing: Uint8Array.from(missing),
    nodeCount: Float64Array.from(nodeCount),
    leafValue: Float64Array.from(leafValue),
    leafCount: Float64Array.from(leafCount),
    rootLeaf: rootId < 0,
  };
}

/** Validates a dump (zod) and flattens its trees. Throws a ZodError on a malformed or categorical model. */
export function compileModel(dump: unknown): CompiledModel {
  const m = LightGbmModel.parse(dump);
  const { link, sigmoidScale } = linkOf(m);
  return {
    numClass: m.num_class,
    treesPerIteration: m.num_tree_per_iteration,
    numFeatures: m.max_feature_idx + 1,
    featureNames: m.feature_names,
    link,
    sigmoidScale,
    trees: m.tree_info.map((t) => flatten(t.tree_structure)),
  };
}

/** The child a split sends x to, by LightGBM's NumericalDecision. */
function goesLeft(t: FlatTree, node: number, raw: number | null | undefined): boolean {
  let x = raw === null || raw === undefined ? Number.NaN : raw;
  const mt = t.missing[node];
  if (Number.isNaN(x) && mt !== MISSING_NAN) x = 0;
  if ((mt === MISSING_ZERO && Math.abs(x) <= ZERO_THRESHOLD) || (mt === MISSING_NAN && Number.isNaN(x))) return t.defaultLeft[node] === 1;
  return x <= t.threshold[node];
}

/** Index of the leaf a row lands in. */
function leafOf(t: FlatTree, row: FeatureRow): number {
  if (t.rootLeaf) return 0;
  let node = 0;
  while (node >= 0) node = goesLeft(t, node, row[t.feature[node]]) ? t.left[node] : t.right[node];
  return ~node;
}

/** Raw scores (before the link), one per class: the sum of the leaf values each class's trees give the row. */
export function predictRaw(m: CompiledModel, row: FeatureRow): number[] {
  const out = new Array<number>(m.treesPerIteration).fill(0);
  for (let i = 0; i < m.trees.length; i++) {
    const t = m.trees[i];
    out[i % m.treesPerIteration] += t.leafValue[leafOf(t, row)];
  }
  return out;
}

/** Applies the model's link to raw scores: probabilities for binary/multiclass, raw for regression. */
export function applyLink(m: CompiledModel, raw: number[]): number[] {
  if (m.link === "sigmoid") return raw.map((r) => 1 / (1 + Math.exp(-m.sigmoidScale * r)));
  if (m.link === "softmax") {
    const top = Math.max(...raw);
    const e = raw.map((r) => Math.exp(r - top));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }
  return raw;
}

/** The prediction a caller reads: P(class 1) for binary, class probabilities for multiclass, the value for regression. */
export function predict(m: CompiledModel, row: FeatureRow): number[] {
  return applyLink(m, predictRaw(m, row));
}

// ------------------------------------------------------------------------------------------------------------
// TreeSHAP (path-dependent; Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution for tree
// ensembles", Algorithm 2). Contributions are in raw-score units: for every class, bias + sum(phi) = raw score.

type PathEl = { feature: number; zero: number; one: number; w: number };

function extendPath(path: PathEl[], depth: number, zero: number, one: number, feature: number): void {
  path[depth] = { feature, zero, one, w: depth === 0 ? 1 : 0 };
  for (let i = depth - 1; i >= 0; i--) {
    path[i + 1].w += (one * path[i].w * (i + 1)) / (depth + 1);
    path[i].w = (zero * path[i].w * (depth - i)) / (depth + 1);
  }
}

function unwindPath(path: PathEl[], depth: number, index: number): void {
  const { one, zero } = path[index];
  let next = path[depth].w;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = path[i].w;
      path[i].w = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (path[i].w * zero * (depth - i)) / (depth + 1);
    } else {
      path[i].w = (path[i].w * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    path[i] = { ...path[i + 1], w: path[i].w };
  }
}

function unwoundPathSum(path: PathEl[], depth: number, index: number): number {
  const { one, zero } = path[index];
  let next = path[depth].w;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = path[i].w - (tmp * zero * (depth - i)) / (depth + 1);
    } else if (zero !== 0) {
      total += path[i].w / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function coverOf(t: FlatTree, child: number): number {
  return child < 0 ? t.leafCount[~child] : t.nodeCount[child];
}

function shapRecurse(t: FlatTree, node: number, row: FeatureRow, phi: Float64Array, parent: PathEl[], depth: number, zero: number, one: number, feature: number): void {
  const path = parent.slice(0, depth).map((p) => ({ ...p }));
  extendPath(path, depth, zero, one, feature);
  if (node < 0) {
    const value = t.leafValue[~node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(path, depth, i);
      phi[path[i].feature] += w * (path[i].one - path[i].zero) * value;
    }
    return;
  }
  const f = t.feature[node];
  const left = goesLeft(t, node, row[f]);
  const hot = left ? t.left[node] : t.right[node];
  const cold = left ? t.right[node] : t.left[node];
  const w = t.nodeCount[node];
  const hotZero = coverOf(t, hot) / w;
  const coldZero = coverOf(t, cold) / w;
  let inZero = 1;
  let inOne = 1;
  let d = depth;
  // A feature already split on above: undo its earlier path element so it is counted once.
  let k = 0;
  while (k <= d && path[k].feature !== f) k++;
  if (k <= d) {
    inZero = path[k].zero;
    inOne = path[k].one;
    unwindPath(path, d, k);
    d -= 1;
  }
  shapRecurse(t, hot, row, phi, path, d + 1, hotZero * inZero, inOne, f);
  shapRecurse(t, cold, row, phi, path, d + 1, coldZero * inZero, 0, f);
}

/** Expected raw value of a tree over its training rows (leaf values weighted by leaf counts). */
function treeExpectation(t: FlatTree): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < t.leafValue.length; i++) {
    sum += t.leafValue[i] * t.leafCount[i];
    n += t.leafCount[i];
  }
  return t.rootLeaf ? t.leafValue[0] : sum / n;
}

export type Contributions = {
  /** Per class: the model's expected raw score (what every prediction starts from). */
  bias: number[];
  /** Per class, per feature: raw-score contribution; bias[c] + sum(phi[c]) = predictRaw(row)[c]. */
  phi: number[][];
};

/** True when every tree carries the leaf and node counts TreeSHAP needs. */
export function hasCovers(m: CompiledModel): boolean {
  return m.trees.every((t) => !t.leafCount.some(Number.isNaN) && !t.nodeCount.some(Number.isNaN));
}

/** Per-feature contributions to the raw score of one row (TreeSHAP). Throws when the dump lacks counts. */
export function contributions(m: CompiledModel, row: FeatureRow): Contributions {
  if (!hasCovers(m)) throw new Error("the model dump has no leaf_count/internal_count: contributions need them");
  const k = m.treesPerIteration;
  const phi = Array.from({ length: k }, () => new Float64Array(m.numFeatures));
  const bias = new Array<number>(k).fill(0);
  for (let i = 0; i < m.trees.length; i++) {
    const t = m.trees[i];
    bias[i % k] += treeExpectation(t);
    if (!t.rootLeaf) shapRecurse(t, 0, row, phi[i % k], [], 0, 1, 1, -1);
  }
  return { bias, phi: phi.map((p) => Array.from(p)) };
}
