// The twin side of the differential check: the twin's in-memory API server
// (src/twin/apiserver, startApiServer) over a fresh Store holding every type of the
// catalogue, with nothing else running, reached over HTTPS like the real one.
import { allTwinTypes } from '../../../src/twin/resources.js';
import { Store } from '../../../src/twin/store/store.js';
import type { ApiServerOptions, TwinApiServer } from '../../../src/twin/apiserver/types.js';
import type { KubeEndpoint } from '../../../src/twin/http-client.js';

export interface TwinTarget {
  endpoint: KubeEndpoint;
  store: Store;
  close(): Promise<void>;
}

type StartApiServer = (opts: ApiServerOptions) => Promise<TwinApiServer>;

// Imported by name at run time: the server module is written in parallel with this bed,
// and a missing export must fail this suite with a clear message, not the typecheck.
const serverModule = '../../../src/twin/apiserver/server.js';

export async function startTwinServer(): Promise<TwinTarget> {
  const mod = (await import(serverModule).catch(() => ({}))) as { startApiServer?: StartApiServer };
  if (typeof mod.startApiServer !== 'function') {
    throw new Error('the twin API server (startApiServer in src/twin/apiserver/server.ts) is not there yet; the differential check needs it');
  }
  const store = new Store();
  for (const t of allTwinTypes) store.register(t);
  const server = await mod.startApiServer({ store });
  return {
    endpoint: { server: server.url, caPem: server.caPem, token: server.adminToken },
    store,
    close: () => server.close(),
  };
}
