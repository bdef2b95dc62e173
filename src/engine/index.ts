// The engine's public surface.
export * from './types.js';
export { runRunbook, resumeRun, plannedSteps, type RunRunbookOptions, type ResumeRunOptions, type RunInfo } from './run.js';
export { runStatus, type RunStatusView, type StepStatusView, type RunStatusState } from './status.js';
export { classifyError, type Classification, type ClassifyOptions } from './classify.js';
export { backoffDelay, withRetries, defaultRetryPolicy, RetriesExhausted, type RetryPolicy } from './backoff.js';
export { runWait, WaitTimeoutError, formatDuration, DEFAULT_POLL_MS } from './wait.js';
export { InterruptedError } from './stop.js';
export { abandonRun } from './abandon.js';
export type { EngineEvent, EngineEventBody, EngineEventType, EventSink, RunEndState } from './events.js';
export type { EngineOptions, RunResult, PromptRequest } from './options.js';
