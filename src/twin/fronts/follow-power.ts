// A node's daemons live only while its OS runs: start a service when the twin node is on,
// stop it when the node is off (taking its connections with it), one change at a time.
import type { TwinNodePower, TwinPowerState } from '../power.js';

export interface NodeService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Follower {
  /** Resolves when the last start/stop has finished; rejects when it failed (e.g. its port was taken). */
  settled(): Promise<void>;
  dispose(): void;
}

export function followPower(power: TwinNodePower, node: string, service: NodeService, onError?: (err: unknown) => void): Follower {
  let chain: Promise<void> = Promise.resolve();
  let running: boolean | undefined;
  // The last change's failure, kept until a later change succeeds: a daemon that could not
  // start must not pass for a node whose port is merely closed.
  let failure: Error | undefined;
  const apply = (state: TwinPowerState) => {
    const want = state === 'on' ? true : state === 'off' ? false : undefined;
    if (want === undefined) return;
    chain = chain.then(async () => {
      if (running === want) return;
      try {
        await (want ? service.start() : service.stop());
        running = want;
        failure = undefined;
      } catch (err) {
        running = undefined; // unknown: the next change tries again
        failure = new Error(`node ${node}: its daemon could not ${want ? 'start' : 'stop'}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        onError?.(err);
      }
    });
  };
  apply(power.state(node));
  const off = power.onChange((n, s) => {
    if (n === node) apply(s);
  });
  return {
    settled: () =>
      chain.then(() => {
        if (failure) throw failure;
      }),
    dispose: off,
  };
}
