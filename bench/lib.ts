// Small helpers shared by the benchmarks (and the test config): statistics and a free loopback port.
import { createServer } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

/** The middle value (upper middle for an even count): what every benchmark quotes. */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The p-th percentile by rank (nearest rank, capped at the maximum). */
export const pct = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Bundles a bench worker from bench/workerd/ and starts it in workerd (Miniflare) with the project's
 * compatibility settings and the named local bindings. The caller disposes it.
 */
export async function startBenchWorker(
  file: string,
  opts: { conditions?: string[]; d1Databases?: string[]; kvNamespaces?: string[]; r2Buckets?: string[] } = {},
): Promise<Miniflare> {
  const { conditions, ...bindings } = opts;
  const bundled = await build({
    entryPoints: [join(import.meta.dirname, "workerd", file)],
    bundle: true,
    format: "esm",
    write: false,
    platform: "neutral",
    mainFields: ["module", "main"],
    ...(conditions ? { conditions } : {}),
    logLevel: "silent",
  });
  return new Miniflare({ modules: true, script: bundled.outputFiles[0].text, compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"], ...bindings });
}

/**
 * Builds bench/workerd/`entry` with Vite (Rollup), the toolchain of the production build, and starts it in workerd.
 * Unlike esbuild's bundles (startBenchWorker), Rollup keeps top-level `const` as `const`, which V8 constant-folds:
 * an esbuild bundle turns them into `var`, and the Black-Scholes kernel then measured 68-79 ns per option in workerd
 * instead of 57-62. Use this where a benchmark should see the code as it is deployed.
 */
export async function startViteBuiltWorker(entry: string): Promise<Miniflare> {
  const { build: viteBuild } = await import("vite");
  const out = (await viteBuild({
    configFile: false,
    logLevel: "silent",
    build: { write: false, minify: false, target: "esnext", lib: { entry: join(import.meta.dirname, "workerd", entry), formats: ["es"], fileName: "worker" } },
  })) as Array<{ output: Array<{ type: string; code?: string }> }>;
  const chunk = out[0].output.find((o) => o.type === "chunk");
  if (!chunk?.code) throw new Error(`vite build of ${entry} produced no chunk`);
  return new Miniflare({ modules: true, script: chunk.code, compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"] });
}
