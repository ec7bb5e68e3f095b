import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { reactRouter } from "@react-router/dev/vite";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { freePort } from "./bench/lib";


export default defineConfig(async () => {
  const migrations = await readD1Migrations(join(import.meta.dirname, "migrations"));
  const port = Number(process.env.FAKE_POLYGON_PORT) || (await freePort());
  process.env.FAKE_POLYGON_PORT = String(port);
  // Tight per-IP limit so the exactness test can exhaust it; other tests use a fresh client address per request.
  const RATE_LIMITS = JSON.stringify({ ip: { limit: 40, windowS: 60 }, user: { limit: 400, windowS: 60 }, symbol: { limit: 3000, windowS: 60 }, admin: { limit: 100, windowS: 60 } });
  const shared = {
    testTimeout: 30_000,
    // Request logs of passing tests are noise; a failing test still shows its logs.
    silent: "passed-only" as const,
  };
  return {
    // React Router's plugin needs the config file, so it stays at the root; each project adds its workerd pool.
    plugins: [reactRouter()],
    test: {
      projects: [
        {
          // Everything on the synthetic market (no Polygon key): API, app, DOs, maths.
          extends: true as const,
          plugins: [
            cloudflareTest({
              main: "./workers/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { TEST_MIGRATIONS: migrations, RATE_LIMITS } },
            }),
          ],
          test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/live/**"], setupFiles: ["./test/apply-migrations.ts"], ...shared },
        },
        {
          // The live path against a real local WebSocket + HTTP server speaking the Polygon protocol.
          extends: true as const,
          plugins: [
            cloudflareTest({
              main: "./workers/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  RATE_LIMITS,
                  POLYGON_API_KEY: "demo",
                  POLYGON_WS_URL: `ws://127.0.0.1:${port}`,
                  POLYGON_REST_URL: `http://127.0.0.1:${port}`,
                  FAKE_POLYGON_URL: `http://127.0.0.1:${port}`,
                  FEED_FLUSH_MS: "50",
                  FEED_RECONNECT_BASE_MS: "20",
                  STALE_AFTER_MS: "2000",
                },
              },
            }),
          ],
          test: {
            name: "live",
            include: ["test/live/**/*.test.ts"],
            setupFiles: ["./test/apply-migrations.ts"],
            globalSetup: ["./test/live/fake-polygon.setup.ts"],
            fileParallelism: false,
            ...shared,
          },
        },
      ],
    },
  };
});
