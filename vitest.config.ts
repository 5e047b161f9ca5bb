import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**"],
    pool: "forks",
    // Most suites wait on child processes, sockets and timers, not on the CPU: on 2 cores, 3 forks keep
    // both busy (vitest's default is one fewer than the cores: a single fork here).
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", HH_GITOPS_LOG_LEVEL: "SILENT", POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
  },
});
