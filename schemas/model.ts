import { z } from "zod";
import { Timestamp } from "./common";

/**
 * LightGBM's JSON model dump (`Booster.dump_model()`), the subset the GBDT evaluator reads. Unknown keys
 * (feature_infos, split_gain, feature_importances, ...) are accepted and ignored, so dumps of LightGBM v2..v4
 * and the ones `npm run train` writes all parse. Only numerical `<=` splits are supported: a categorical split
 * (`==`) fails validation rather than being evaluated wrongly.
 */
export const LightGbmLeaf = z.object({
  leaf_index: z.number().int().optional(),
  leaf_value: z.number(),
  leaf_weight: z.number().optional(),
  leaf_count: z.number().int().nonnegative().optional().describe("training rows in the leaf: the cover TreeSHAP weighs by"),
});

export type LightGbmNode =
  | z.infer<typeof LightGbmLeaf>
  | {
      split_index?: number;
      split_feature: number;
      split_gain?: number;
      threshold: number;
      decision_type: "<=";
      default_left: boolean;
      missing_type: "None" | "Zero" | "NaN";
      internal_value?: number;
      internal_weight?: number;
      internal_count?: number;
      left_child: LightGbmNode;
      right_child: LightGbmNode;
    };

export const LightGbmNode: z.ZodType<LightGbmNode> = z.lazy(() =>
  z.union([
    z.object({
      split_index: z.number().int().optional(),
      split_feature: z.number().int().nonnegative(),
      split_gain: z.number().optional(),
      threshold: z.number(),
      decision_type: z.literal("<=", { message: "only numerical splits (<=) are supported" }),
      default_left: z.boolean(),
      missing_type: z.enum(["None", "Zero", "NaN"]),
      internal_value: z.number().optional(),
      internal_weight: z.number().optional(),
      internal_count: z.number().int().nonnegative().optional(),
      left_child: LightGbmNode,
      right_child: LightGbmNode,
    }),
    LightGbmLeaf,
  ]),
);

export const LightGbmModel = z.object({
  name: z.string().optional(),
  version: z.string().optional().describe("dump format version: v2, v3, v4"),
  num_class: z.number().int().positive(),
  num_tree_per_iteration: z.number().int().positive(),
  max_feature_idx: z.number().int().nonnegative(),
  objective: z.string().optional().describe("e.g. `binary sigmoid:1`, `regression`, `multiclass num_class:3`; absent in old dumps"),
  average_output: z.boolean().optional(),
  feature_names: z.array(z.string()),
  tree_info: z.array(
    z.object({
      tree_index: z.number().int().nonnegative(),
      num_leaves: z.number().int().positive(),
      shrinkage: z.number().optional(),
      tree_structure: LightGbmNode,
    }),
  ),
});
export type LightGbmModel = z.infer<typeof LightGbmModel>;

/** A row of the model registry (D1 `model_registry`); the JSON itself lives in R2 under `r2Key`. */
export const ModelStage = z.enum(["staging", "production", "archived"]);
export type ModelStage = z.infer<typeof ModelStage>;

export const ModelMetrics = z
  .object({
    trainRows: z.number().int().nonnegative(),
    validRows: z.number().int().nonnegative(),
    positiveRate: z.number().min(0).max(1).describe("share of labels = 1 (the option paid off) in the training rows"),
    trainLogLoss: z.number().nonnegative(),
    validLogLoss: z.number().nonnegative(),
    validAuc: z.number().min(0).max(1),
    baselineLogLoss: z.number().nonnegative().describe("log loss of predicting the training positive rate for every validation row"),
  })
  .catchall(z.number());
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const ModelRegistryEntry = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^[A-Za-z0-9._-]+$/),
  stage: ModelStage,
  metrics: ModelMetrics,
  features: z.array(z.string()).describe("feature order the model expects"),
  r2Key: z.string(),
  createdAt: Timestamp,
});
export type ModelRegistryEntry = z.infer<typeof ModelRegistryEntry>;

/**
 * The KV document naming the active version of a model (key `models:active:<name>`), with the hybrid score
 * weights: operators change either without a deploy.
 */
export const ActiveModel = z.object({
  name: z.string(),
  version: z.string(),
  r2Key: z.string(),
  weights: z
    .object({ rule: z.number().min(0).max(1), ml: z.number().min(0).max(1) })
    .refine((w) => Math.abs(w.rule + w.ml - 1) < 1e-9, { message: "rule + ml weights must add up to 1" }),
});
export type ActiveModel = z.infer<typeof ActiveModel>;
