// The journal's public surface: open/create runs, read and replay journals, list runs,
// the lock, the cluster binding and the redact guard.
export * from './records.js';
export * from './errors.js';
export { Journal, type JournalOptions } from './journal.js';
export { readJournal, parseJournal, type JournalContents, type TornLine } from './reader.js';
export { replay, apply, type RunState, type StepState, type StepStatus } from './replay.js';
export { createRun, openRun, readRunJournal, type OpenRun, type CreateRunOptions, type OpenRunOptions } from './run.js';
export { listRuns, summarizeRun, latestCompleted, resumableRuns, type RunSummary, type RunListState } from './runs.js';
export { acquireLock, readLock, pidAlive, type HeldLock, type LockHolder, type LockOptions } from './lock.js';
export { assertSameCluster, normalizeServer, describeIdentity } from './identity.js';
export { SecretRegistry, secrets, registerSecret, defaultSecretPatterns } from './secrets.js';
export { resolveStateRoot, clusterDirOf, runDirOf, newRunId, JOURNAL_FILE, LOCK_FILE } from './paths.js';
export { fallowVersion } from './version.js';
