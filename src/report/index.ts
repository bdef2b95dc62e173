// Public surface of report/: capture a snapshot, verify, build and render the report.
export { captureSnapshot, type CaptureOptions } from './snapshot.js';
export {
  readerFromObjectApi,
  readerFromNamedKindApi,
  etcdObservation,
  etcdThroughRunningPod,
  type SnapshotReader,
  type EtcdObservation,
  type EtcdMemberStatus,
  type EtcdSource,
  type ObjectApi,
  type NamedKindApi,
} from './snapshot-reader.js';
export * from './snapshot-types.js';
export { parseSnapshot } from './snapshot-file.js';
export { diffSnapshots, summarizeDiff, defaultRules, type Difference, type DiffSummary, type Severity, type VerifyRule } from './verify.js';
export * from './timeline.js';
export { timelineFromJournal, factsFromJournal, type StepMeta } from './from-journal.js';
export { buildReport, ReportSchema, type Report, type ReportInput, type ReportRun, type ReportStep, type Verdict } from './report.js';
export { renderMarkdown } from './render-markdown.js';
export { renderJson } from './render-json.js';
export { renderHtml } from './render-html.js';
export { outageTables, type OutageTimeline, type OutageEvent, type OutagePlan } from './outage.js';
