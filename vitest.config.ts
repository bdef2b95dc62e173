import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects: the everyday unit suite (fast, in-process, twin in memory) and the
// slower suites that start real peers (sshd, ipmi_sim, upsd, Chromium, kube-apiserver).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The twin runs on a scaled wall clock (×200): a test whose process lost the CPU for a
    // second lost minutes of modelled time. Such a test gets one more try; a real failure fails twice.
    retry: 1,
    pool: 'forks',
    // Vitest keeps one CPU for its main process, so a 2-core box ran one test file at a
    // time (unit: 341 s wall, ~1 core busy). With forks the main process is nearly idle:
    // two files at once took 202 s for the same CPU time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // …but only the unit files share the cores: the slow storms, the real peers and the
    // real control plane are timing-sensitive, and without an order vitest runs projects
    // side by side. Each heavy project runs alone, one file at a time, after the unit files.
    projects: [
      {
        extends: true,
        test: { name: 'unit', sequence: { groupOrder: 0 }, include: ['test/**/*.test.ts'], exclude: ['test/peers/**', 'test/fidelity/**', 'test/slow/**'] },
      },
      {
        // Whole-cycle storms of real CLI processes (kill -9 and resume): minutes, not seconds.
        extends: true,
        test: { name: 'slow', sequence: { groupOrder: 1 }, include: ['test/slow/**/*.test.ts'], testTimeout: 900_000, poolOptions: { forks: { singleFork: true } } },
      },
      {
        extends: true,
        test: { name: 'peers', sequence: { groupOrder: 2 }, include: ['test/peers/**/*.test.ts'], poolOptions: { forks: { singleFork: true } } },
      },
      {
        // The fidelity bed: real etcd + kube-apiserver + kube-controller-manager + kubectl
        // built from Go modules (global setup builds them when missing; slow when cold).
        extends: true,
        test: {
          name: 'fidelity',
          sequence: { groupOrder: 3 },
          include: ['test/fidelity/**/*.test.ts'],
          globalSetup: ['test/fidelity/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
