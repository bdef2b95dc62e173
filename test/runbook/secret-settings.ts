// Harvester settings that carry credentials, as an operator's cluster has them: a registry
// password inside containerd-registry's JSON and a proxy's user:password in http-proxy.
// Shared by the tests that prove fallow never records them and still sees them change.
import { Kinds } from '../../src/common/harvester.js';
import type { Bed } from './bed.js';

export function secretSettings(tag: string) {
  const registryPassword = `reg-Pa55-${tag}`;
  const proxyPassword = `proxy-Pa55-${tag}`;
  const registry = (password: string) =>
    JSON.stringify({ Mirrors: { 'docker.io': { Endpoints: ['https://registry.example.com:5000'] } }, Configs: { 'registry.example.com:5000': { Auth: { Username: 'pull', Password: password } } } });
  const proxy = JSON.stringify({ httpProxy: `http://ops:${proxyPassword}@proxy.example.com:3128`, httpsProxy: '', noProxy: 'localhost,127.0.0.1,.svc' });
  return { registryPassword, proxyPassword, registry, proxy };
}

/** Sets (or creates) a Harvester setting on the bed's twin. */
export async function setSetting(bed: Bed, name: string, value: string): Promise<void> {
  const api = bed.twin.api;
  if (await api.get(Kinds.Setting, undefined, name)) await api.patch(Kinds.Setting, undefined, name, { value });
  else await api.create({ ...Kinds.Setting, metadata: { name }, value });
}

/** Both secret-bearing settings, with the registry password `registryPassword`. */
export async function setSecretSettings(bed: Bed, s: ReturnType<typeof secretSettings>): Promise<void> {
  await setSetting(bed, 'containerd-registry', s.registry(s.registryPassword));
  await setSetting(bed, 'http-proxy', s.proxy);
}
