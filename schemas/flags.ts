import { z } from "zod";

const FlagKey = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, "lower-case words joined by dashes");
const FlagValue = z.union([z.boolean(), z.string().max(64)]);

/**
 * A feature flag (LaunchDarkly-like): off -> `offValue`; else the first targeting rule that matches the user id or
 * one of their roles; else the percentage rollout (stable per user); else `defaultValue`.
 */
export const FlagDefinition = z
  .object({
    key: FlagKey,
    kind: z.enum(["boolean", "variant"]),
    description: z.string().max(300).default(""),
    enabled: z.boolean(),
    variants: z.array(z.string().min(1).max(64)).max(20).optional().describe("allowed values of a variant flag"),
    defaultValue: FlagValue,
    offValue: FlagValue,
    rules: z
      .array(
        z.object({
          users: z.array(z.string().min(1).max(256)).max(1000).optional(),
          roles: z.array(z.string().min(1).max(64)).max(50).optional(),
          value: FlagValue,
        }),
      )
      .max(50)
      .default([]),
    rollout: z.object({ percentage: z.number().min(0).max(100), value: FlagValue }).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const values = [f.defaultValue, f.offValue, ...f.rules.map((r) => r.value), ...(f.rollout ? [f.rollout.value] : [])];
    for (const v of values) {
      if (f.kind === "boolean" && typeof v !== "boolean") ctx.addIssue({ code: "custom", message: "a boolean flag takes true/false values", path: ["defaultValue"] });
      if (f.kind === "variant" && (typeof v !== "string" || !f.variants?.includes(v))) {
        ctx.addIssue({ code: "custom", message: `value ${JSON.stringify(v)} is not one of the variants`, path: ["variants"] });
      }
    }
  });
export type FlagDefinition = z.infer<typeof FlagDefinition>;

export const FlagDocument = z.object({ flags: z.array(FlagDefinition), updatedAt: z.string() });
export type FlagDocument = z.infer<typeof FlagDocument>;

/** GET /api/flags: the caller's evaluated flags. */
export const EvaluatedFlags = z.object({ flags: z.record(z.string(), FlagValue), evaluatedFor: z.string() });
export type EvaluatedFlags = z.infer<typeof EvaluatedFlags>;
