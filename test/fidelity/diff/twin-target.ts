// The twin side of the differential check: the twin's in-memory API server
// (src/twin/apiserver, startApiServer) over a fresh Store holding every type of the
// catalogue, with nothing else running, reached over HTTPS like the real one.
import { startApiServer } from '../../../src/twin/apiserver/index.js';
import type { KubeEndpoint } from '../../../src/twin/http-client.js';
import { allTwinTypes } from '../../../src/twin/resources.js';
import { Store } from '../../../src/twin/store/store.js';

export interface TwinTarget {
  endpoint: KubeEndpoint;
  store: Store;
  close(): Promise<void>;
}

export async function startTwinServer(): Promise<TwinTarget> {
  const store = new Store();
  for (const t of allTwinTypes) store.register(t);
  const server = await startApiServer({ store });
  return {
    endpoint: { server: server.url, caPem: server.caPem, token: server.adminToken },
    store,
    close: () => server.close(),
  };
}
