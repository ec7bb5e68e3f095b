import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/db/schema.ts",
  out: "./migrations",
  // wrangler applies the plain SQL files in migrations/; drizzle keeps its journal in migrations/meta/.
});
