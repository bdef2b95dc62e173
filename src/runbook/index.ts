// runbook/ — the seed article as data. Owns: the shutdown and restart step tables, what
// each step records, checks, does and waits for, and the RBAC it needs. Must not touch:
// the journal format, the terminal, or any Kubernetes client or power driver directly —
// it acts only through the ClusterPort and PowerPort edges (ports.ts).
export { shutdownRunbook } from './shutdown/index.js';
export { restartRunbook } from './restart/index.js';
export { partialRestartRunbook } from './partial-restart.js';
export { defaultRunOptions, type RunOptions, type RunbookEnv } from './env.js';
export { Facts } from './facts.js';
export { explainRunbooks, type ExplainedStep } from './explain.js';
export { rbacFor, clusterRoleYaml } from './rbac.js';
