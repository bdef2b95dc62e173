// The commands `fallow` offers, in help order. To add one: write commands/<name>.ts
// exporting a CommandModule, and list it here. Register a command only once it works.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { completionCommand } from './completion.js';
import { explainCommand } from './explain.js';
import { guardCommand } from '../../guard/command.js';
import { planCommand } from './plan.js';
import { powerCommand } from './power.js';
import { rbacCommand } from './rbac.js';
import { reportCommand } from './report.js';
import { verifyCommand } from './verify.js';
import { rehearseCommand } from './rehearse.js';
import { restartCommand } from './restart.js';
import { shutdownCommand } from './shutdown.js';
import { resumeCommand } from './resume.js';
import { statusCommand } from './status.js';
import { twinCommand } from './twin.js';

export interface CommandModule {
  name: string;
  register(program: Command, ctx: CliContext): void;
}

export const commands: CommandModule[] = [rehearseCommand, planCommand, shutdownCommand, restartCommand, verifyCommand, reportCommand, statusCommand, resumeCommand, guardCommand, explainCommand, rbacCommand, powerCommand, twinCommand, completionCommand];
