// Harvester support bundles: a new SupportBundle (harvester-system) goes "generating" with
// status.progress rising over the modelled generation time, then "ready" with filename and
// filesize; GET /v1/harvester/supportbundles/{name}/download serves the zip (JSON dumps of
// every resource, secrets' data left out) and deletes the bundle unless ?retain=true, as
// Harvester's download handler does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kinds, Namespaces } from '../../../common/harvester.js';
import type { SupportBundleObject } from '../../../common/harvester-types.js';
import type { KObject, ResourceType } from '../../store/types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { zip, type ZipEntry } from './zip.js';

export interface ResourceDump {
  type: ResourceType;
  items: readonly KObject[];
}

interface Generation {
  start: number;
  end: number;
}

export class SupportBundleController extends QueueController {
  private readonly bundles: Informer<SupportBundleObject>;
  private readonly generating = new Map<string, Generation>();
  private readonly files = new Map<string, { filename: string; data: Buffer }>();

  constructor(
    ctx: TwinContext,
    private readonly dump: () => ResourceDump[] | Promise<ResourceDump[]>,
    private readonly clusterUid: () => string,
  ) {
    super('supportbundles', ctx);
    this.bundles = ctx.informers.for<SupportBundleObject>(Kinds.SupportBundle);
  }

  setup(): void {
    this.bundles.onChange((type, b) => {
      const key = `${b.metadata.namespace}/${b.metadata.name}`;
      if (type === 'DELETED') {
        this.generating.delete(key);
        this.files.delete(key);
      } else this.queue.add(key);
    });
  }

  resync(): void {
    this.queue.addAll(this.bundles.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const b = this.bundles.get(key);
    if (!b) return;
    const state = b.status?.state ?? '';
    if (state === 'ready' || state === 'error') return;
    const now = this.ctx.clock.now();
    let g = this.generating.get(key);
    if (!g) {
      g = { start: now, end: now + this.ctx.rng.seconds(this.ctx.timing.bundleSeconds) };
      this.generating.set(key, g);
    }
    if (now < g.end) {
      const progress = Math.min(99, Math.floor(((now - g.start) / (g.end - g.start)) * 100));
      if (state !== 'generating' || progress !== b.status?.progress) await this.status(b, { state: 'generating', progress });
      return this.queue.addAfter(key, Math.min(g.end - now, (g.end - g.start) / 10));
    }
    this.generating.delete(key);
    const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    const filename = `supportbundle_${this.clusterUid()}_${stamp}.zip`;
    const data = await this.build(filename.replace(/\.zip$/, ''));
    this.files.set(key, { filename, data });
    await this.status(b, { state: 'ready', progress: 100, filename, filesize: data.length });
    this.ctx.events.record({ type: 'bundle.ready', object: key, detail: filename, data: { filesize: data.length } });
  }

  /** Route handler for GET /v1/harvester/supportbundles/{name}/download. */
  readonly download = async (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> => {
    const name = decodeURIComponent(match[1] ?? '');
    const key = `${Namespaces.harvesterSystem}/${name}`;
    const b = this.bundles.get(key);
    const send = (code: number, message: string) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', status: code, code: code === 404 ? 'NotFound' : 'BadRequest', message }));
    };
    if (!b) return send(404, `supportbundles.harvesterhci.io "${name}" not found`);
    const file = this.files.get(key);
    // The file, not this controller's cached status: the cache may not have seen its own
    // "ready" yet when a client that watched it asks (over a real apiserver it lags).
    if (!file) return send(400, `support bundle ${name} is not ready`);
    res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename=${file.filename}`,
      'Content-Length': String(file.data.length),
    });
    res.end(file.data);
    this.ctx.events.record({ type: 'bundle.downloaded', object: key, detail: file.filename });
    const retain = new URL(req.url ?? '/', 'https://twin').searchParams.get('retain') === 'true';
    if (!retain) await this.ctx.api.delete(Kinds.SupportBundle, Namespaces.harvesterSystem, name);
  };

  private async build(dir: string): Promise<Buffer> {
    const entries: ZipEntry[] = [];
    for (const { type, items } of await this.dump()) {
      const gv = type.group ? `${type.group}/${type.version}` : type.version;
      const byNs = new Map<string, KObject[]>();
      for (const o of items) {
        const clean = type.kind === 'Secret' ? { ...o, data: undefined, stringData: undefined } : o;
        const ns = o.metadata.namespace ?? '';
        let list = byNs.get(ns);
        if (!list) byNs.set(ns, (list = []));
        list.push(clean);
      }
      for (const [ns, list] of byNs) {
        const path = ns ? `${dir}/yamls/namespaced/${ns}/${gv}/${type.resource}.json` : `${dir}/yamls/cluster/${gv}/${type.resource}.json`;
        entries.push({ path, data: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: list }, null, 1) });
      }
    }
    entries.push({ path: `${dir}/metadata.json`, data: JSON.stringify({ clusterUid: this.clusterUid(), generated: new Date(this.ctx.clock.now()).toISOString(), generator: 'fallow twin' }) });
    return zip(entries, new Date(this.ctx.clock.now()));
  }

  private async status(b: SupportBundleObject, s: NonNullable<SupportBundleObject['status']>): Promise<void> {
    await this.ctx.api.patch(Kinds.SupportBundle, b.metadata.namespace, b.metadata.name, { status: s }, { subresource: 'status' });
  }
}
