import { z } from "zod";
import { contracts } from "./index";

/** JSON Schema 2020-12 of every contract, keyed by file name, as written by `npm run schemas`. */
export function jsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(contracts)) {
    const doc = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
    out[`${name}.schema.json`] = JSON.stringify({ $id: `https://schemas.local/${name}.schema.json`, ...doc }, null, 2) + "\n";
  }
  return out;
}
