// Harvester VM backups: a VirtualMachineBackup of type backup needs the backup-target
// setting; without it the backup errors at once (status.error), as Harvester's controller
// reports it. Otherwise it becomes readyToUse after the modelled backup time. Snapshots
// (type snapshot) need no target.
import { Kinds } from '../../common/harvester.js';
import type { SettingObject, VirtualMachineBackupObject } from '../../common/harvester-types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { isoTime } from './util.js';

export class BackupController extends QueueController {
  private readonly backups: Informer<VirtualMachineBackupObject>;
  private readonly settings: Informer<SettingObject>;
  private readonly doneAt = new Map<string, number>();

  constructor(ctx: TwinContext) {
    super('vmbackups', ctx);
    this.backups = ctx.informers.for<VirtualMachineBackupObject>(Kinds.VirtualMachineBackup);
    this.settings = ctx.informers.for<SettingObject>(Kinds.Setting);
  }

  setup(): void {
    this.backups.onChange((type, b) => {
      const key = `${b.metadata.namespace}/${b.metadata.name}`;
      if (type === 'DELETED') this.doneAt.delete(key);
      else this.queue.add(key);
    });
  }

  resync(): void {
    this.queue.addAll(this.backups.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const b = this.backups.get(key);
    if (!b || b.status?.readyToUse || b.status?.error) return;
    const now = this.ctx.clock.now();
    const type = b.spec?.type ?? 'backup';
    const target = this.settings.getBy(undefined, 'backup-target');
    const targetValue = target?.value ?? '';
    if (type === 'backup' && (targetValue === '' || targetValue === '{}')) {
      const message = 'backup target is not set, please set it in the Harvester settings before creating a backup';
      await this.status(b, { readyToUse: false, error: { message, time: isoTime(this.ctx.clock) } });
      this.ctx.events.record({ type: 'backup.error', object: key, detail: message });
      return;
    }
    let at = this.doneAt.get(key);
    if (at === undefined) {
      at = now + this.ctx.rng.seconds(this.ctx.timing.backupSeconds);
      this.doneAt.set(key, at);
      await this.status(b, { readyToUse: false, backupTarget: type === 'backup' ? parseTarget(targetValue) : undefined });
    }
    if (now < at) return this.queue.addAfter(key, at - now);
    this.doneAt.delete(key);
    await this.status(b, { readyToUse: true, creationTime: isoTime(this.ctx.clock) });
    this.ctx.events.record({ type: 'backup.ready', object: key, detail: type });
  }

  private async status(b: VirtualMachineBackupObject, s: Record<string, unknown>): Promise<void> {
    await this.ctx.api.patch(Kinds.VirtualMachineBackup, b.metadata.namespace, b.metadata.name, { status: s }, { subresource: 'status' });
  }
}

function parseTarget(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return { endpoint: v };
  }
}
