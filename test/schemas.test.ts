import { describe, expect, it } from "vitest";
import { contracts } from "../schemas";
import { jsonSchemas } from "../schemas/json-schema";

// The committed JSON Schemas, bundled by Vite (workerd has no file system).
const committed = import.meta.glob("../schemas/json/*.schema.json", { eager: true, query: "?raw", import: "default" }) as Record<string, string>;

describe("schemas/json", () => {
  it("is up to date with the zod contracts (run `npm run schemas` when this fails)", () => {
    const fresh = jsonSchemas();
    const onDisk = Object.fromEntries(Object.entries(committed).map(([path, text]) => [path.split("/").pop()!, text]));
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(fresh).sort());
    for (const [file, text] of Object.entries(fresh)) expect(onDisk[file], file).toBe(text);
  });

  it("declares JSON Schema 2020-12 for every contract", () => {
    for (const [name, text] of Object.entries(jsonSchemas())) {
      const doc = JSON.parse(text) as { $schema: string };
      expect(doc.$schema, name).toBe("https://json-schema.org/draft/2020-12/schema");
    }
    expect(Object.keys(contracts)).toContain("recommendation");
  });
});
