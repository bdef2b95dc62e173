// Public entry of the Rancher Manager client: access options (--rancher-url, token file or
// variable, CA or insecure), the RancherManagerPort implementation, and the plan view.
import type { Clock } from '../common/clock.js';
import type { SecretRegistry } from '../journal/secrets.js';
import { loadRancherAccess, type RancherAccessOptions } from './access.js';
import { RancherManager } from './manager.js';

export { DefaultTokenEnv, loadRancherAccess, parseRancherUrl, type RancherAccess, type RancherAccessOptions } from './access.js';
export { RancherManager } from './manager.js';
export { rancherPlanLines, rancherPlanView, type RancherPlanView } from './plan.js';

/** Reads the token (registering it as a secret) and opens the port. Call close() when done. */
export async function openRancherManager(
  o: RancherAccessOptions,
  clock: Clock,
  opts: { env?: NodeJS.ProcessEnv; secrets?: SecretRegistry; requestTimeoutMs?: number } = {},
): Promise<RancherManager> {
  const access = await loadRancherAccess(o, opts.env ?? process.env, ...(opts.secrets ? [opts.secrets] : []));
  return RancherManager.open(access, clock, opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {});
}
