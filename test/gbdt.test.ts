import { describe, expect, it } from "vitest";
import { applyLink, compileModel, contributions, predict, predictRaw } from "../workers/recommend/gbdt";
import smallModel from "./fixtures/lightgbm/small_tree/model.json";
import smallInput from "./fixtures/lightgbm/small_tree/input.json";
import smallExpected from "./fixtures/lightgbm/small_tree/expected.json";
import binaryModel from "./fixtures/lightgbm/binary_classification/model.json";
import binaryInput from "./fixtures/lightgbm/binary_classification/input.json";
import binaryExpected from "./fixtures/lightgbm/binary_classification/expected.json";
import missingModel from "./fixtures/lightgbm/regression_missing/model.json";
import missingInput from "./fixtures/lightgbm/regression_missing/input.json";
import missingExpected from "./fixtures/lightgbm/regression_missing/expected.json";
import multiModel from "./fixtures/lightgbm/multiclass/model.json";
import multiInput from "./fixtures/lightgbm/multiclass/input.json";
import multiExpected from "./fixtures/lightgbm/multiclass/expected.json";
import dartModel from "./fixtures/lightgbm/dart_breast_cancer/lg_dart_breast_cancer.json";
import dartRows from "./fixtures/lightgbm/dart_breast_cancer/breast_cancer_test.tsv?raw";
import dartTruth from "./fixtures/lightgbm/dart_breast_cancer/lg_dart_breast_cancer_true_predictions.txt?raw";

/** Relative tolerance of the shared data README (expected values agree to ~1e-15). */
function close(actual: number, expected: number, rel = 1e-9) {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

// A hand-built binary model over features [a, b], values chosen so every answer below is worked out on paper.
// Tree 0: a <= 1.5 (missing NaN -> right) ? 0.2 : (b <= 0 (missing None: read as 0) ? -0.5 : 0.7)
// Tree 1: b <= 2 (missing Zero -> right) ? 0.1 : -0.3
const leaf = (v: number, n: number) => ({ leaf_value: v, leaf_count: n });
const hand = {
  num_class: 1,
  num_tree_per_iteration: 1,
  max_feature_idx: 1,
  objective: "binary sigmoid:1",
  feature_names: ["a", "b"],
  tree_info: [
    {
      tree_index: 0,
      num_leaves: 3,
      tree_structure: {
        split_feature: 0, threshold: 1.5, decision_type: "<=", default_left: false, missing_type: "NaN", internal_count: 100,
        left_child: leaf(0.2, 60),
        right_child: { split_feature: 1, threshold: 0, decision_type: "<=", default_left: true, missing_type: "None", internal_count: 40, left_child: leaf(-0.5, 10), right_child: leaf(0.7, 30) },
      },
    },
    {
      tree_index: 1,
      num_leaves: 2,
      tree_structure: { split_feature: 1, threshold: 2, decision_type: "<=", default_left: false, missing_type: "Zero", internal_count: 100, left_child: leaf(0.1, 50), right_child: leaf(-0.3, 50) },
    },
  ],
};

describe("GBDT evaluator: hand-computed trees", () => {
  const m = compileModel(hand);

  it("walks splits, NaN/None/Zero missing values and default directions as LightGBM does", () => {
    const cases: Array<[Array<number | null>, number]> = [
      [[2, 3], 0.7 - 0.3], // right, right; b > 2
      [[Number.NaN, -1], -0.5 + 0.1], // a missing (NaN type, default right); b <= 0; b <= 2
      [[1, Number.NaN], 0.2 - 0.3], // tree 1: Zero type reads NaN as 0, and zero goes to the default (right)
      [[5, null], -0.5 - 0.3], // tree 0: None type reads null as 0 -> 0 <= 0 -> left
      [[1, 0], 0.2 - 0.3], // exact zero -> default side under Zero
      [[1, 1e-36], 0.2 - 0.3], // |x| <= 1e-35 counts as zero
      [[1, 1], 0.2 + 0.1],
      [[1.5, 2], 0.2 + 0.1], // x == threshold goes left
    ];
    for (const [row, raw] of cases) close(predictRaw(m, row)[0], raw, 1e-15);
    close(predict(m, [2, 3])[0], 1 / (1 + Math.exp(-0.4)), 1e-15);
  });

  it("attributes the prediction to features exactly as the Shapley values worked out by hand", () => {
    // Tree 0 at (2, 3): v({}) = 0.6*0.2 + 0.4*(0.25*-0.5 + 0.75*0.7) = 0.28, v({a}) = 0.4, v({b}) = 0.4, v({a,b}) = 0.7
    //   -> phi_a = phi_b = ((0.4-0.28) + (0.7-0.4)) / 2 = 0.21. Tree 1: E = -0.1, f = -0.3 -> phi_b = -0.2.
    const c = contributions(m, [2, 3]);
    close(c.bias[0], 0.28 - 0.1, 1e-15);
    close(c.phi[0][0], 0.21, 1e-15);
    close(c.phi[0][1], 0.01, 1e-15);
  });

  it("rejects categorical splits and malformed dumps instead of mis-evaluating them", () => {
    const cat = structuredClone(hand) as { tree_info: Array<{ tree_structure: { decision_type: string } }> };
    cat.tree_info[0].tree_structure.decision_type = "==";
    expect(() => compileModel(cat)).toThrow(/numerical/);
    expect(() => compileModel({ tree_info: [] })).toThrow();
  });
});

type Case = { name: string; model: unknown; rows: Array<Array<number | null>>; raw: Array<number | number[]>; proba?: Array<number | number[]> };
const cases: Case[] = [
  { name: "small_tree (regression)", model: smallModel, rows: smallInput.data, raw: smallExpected.raw },
  { name: "binary_classification", model: binaryModel, rows: binaryInput.data, raw: binaryExpected.raw, proba: binaryExpected.proba },
  { name: "regression_missing (NaN inputs)", model: missingModel, rows: missingInput.data as Array<Array<number | null>>, raw: missingExpected.raw },
  { name: "multiclass (3 classes)", model: multiModel, rows: multiInput.data, raw: multiExpected.raw, proba: multiExpected.proba },
];

describe("GBDT evaluator: LightGBM's own predictions", () => {
  for (const c of cases) {
    it(`${c.name}: raw scores and probabilities`, () => {
      const m = compileModel(c.model);
      expect(c.rows.length).toBeGreaterThanOrEqual(10);
      c.rows.forEach((row, i) => {
        const raw = predictRaw(m, row);
        const want = ([] as number[]).concat(c.raw[i]);
        raw.forEach((r, k) => close(r, want[k]));
        if (c.proba) {
          const p = applyLink(m, raw);
          const wantP = ([] as number[]).concat(c.proba[i]);
          p.forEach((x, k) => close(x, wantP[k]));
        }
      });
    });
  }

  it("DART breast cancer (format v2, no objective): sigmoid of the raw sum = LightGBM's probabilities for 57 rows", () => {
    const m = compileModel(dartModel);
    const rows = dartRows.trim().split("\n").map((l) => l.split("\t").map(Number));
    const truth = dartTruth.trim().split("\n").map(Number);
    expect(rows).toHaveLength(57);
    expect(m.link).toBe("identity");
    rows.forEach((row, i) => close(1 / (1 + Math.exp(-predictRaw(m, row)[0])), truth[i]));
  });
});

/**
 * Reference Shapley values by brute force over feature subsets, walking the raw JSON (not the compiled arrays):
 * v(S) = expected output when only the features in S are known, unknown splits weighted by their training counts.
 */
type JNode = { leaf_value?: number; leaf_count?: number; split_feature?: number; threshold?: number; default_left?: boolean; missing_type?: string; internal_count?: number; left_child?: JNode; right_child?: JNode };
function countOf(n: JNode): number {
  return n.leaf_value !== undefined ? n.leaf_count! : n.internal_count!;
}
function expectation(n: JNode, row: Array<number | null>, known: Set<number>): number {
  if (n.leaf_value !== undefined) return n.leaf_value;
  const f = n.split_feature!;
  if (known.has(f)) {
    let x = row[f] === null ? Number.NaN : row[f]!;
    if (Number.isNaN(x) && n.missing_type !== "NaN") x = 0;
    const dflt = (n.missing_type === "NaN" && Number.isNaN(x)) || (n.missing_type === "Zero" && Math.abs(x) <= 1e-35);
    const left = dflt ? n.default_left : x <= n.threshold!;
    return expectation(left ? n.left_child! : n.right_child!, row, known);
  }
  const l = countOf(n.left_child!);
  const r = countOf(n.right_child!);
  return (l * expectation(n.left_child!, row, known) + r * expectation(n.right_child!, row, known)) / (l + r);
}
function bruteShapley(model: { tree_info: Array<{ tree_structure: JNode }>; max_feature_idx: number }, row: Array<number | null>): number[] {
  const M = model.max_feature_idx + 1;
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const v = (mask: number) => {
    const known = new Set<number>();
    for (let j = 0; j < M; j++) if (mask & (1 << j)) known.add(j);
    return model.tree_info.reduce((s, t) => s + expectation(t.tree_structure, row, known), 0);
  };
  const cache = new Map<number, number>();
  const vc = (mask: number) => cache.get(mask) ?? (cache.set(mask, v(mask)), cache.get(mask)!);
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < M; j++) if (mask & (1 << j)) size++;
      phi[i] += ((fact(size) * fact(M - size - 1)) / fact(M)) * (vc(mask | (1 << i)) - vc(mask));
    }
  }
  return phi;
}

describe("GBDT contributions (TreeSHAP)", () => {
  it("sum with the bias to the raw prediction, for every class and row of the reference models", () => {
    for (const c of cases) {
      const m = compileModel(c.model);
      for (const row of c.rows) {
        const raw = predictRaw(m, row);
        const { bias, phi } = contributions(m, row);
        raw.forEach((r, k) => close(bias[k] + phi[k].reduce((a, b) => a + b, 0), r, 1e-9));
      }
    }
  });

  it("equal brute-force Shapley values of the path-dependent expectation (small_tree, regression_missing)", () => {
    for (const c of [cases[0], cases[2]]) {
      const m = compileModel(c.model);
      for (const row of c.rows.slice(0, 8)) {
        const want = bruteShapley(c.model as Parameters<typeof bruteShapley>[0], row);
        contributions(m, row).phi[0].forEach((p, j) => close(p, want[j], 1e-9));
      }
    }
  });
});
