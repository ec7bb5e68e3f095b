// Validates the generated OpenAPI document against the official OpenAPI 3.1 schema (run by npm test).
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApiDocument } from "../workers/gateway/openapi";

const doc = openApiDocument("http://localhost:8787");
const validator = new Validator();
const res = await validator.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
if (!res.valid) {
  console.error("STALE openapi: /api/openapi.json does not validate against OpenAPI 3.1:");
  console.error(JSON.stringify(res.errors, null, 2).slice(0, 4000));
  process.exit(1);
}
console.log(`ok  openapi (${Object.keys((doc as { paths: object }).paths).length} paths validate against OpenAPI ${validator.version})`);
