// `fallow completion bash|zsh|fish`: shell completion generated from the command tree,
// so commands other engineers register complete without touching this file. Values for
// --context come from kubectl when it is installed; -o and other choice flags complete
// their choices; file flags complete files.
import type { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import type { CommandModule } from './index.js';

interface Node {
  path: string[];
  options: Option[];
  children: Node[];
  summary: string;
}

function tree(cmd: Command, path: string[] = []): Node {
  return {
    path,
    options: cmd.options as Option[],
    children: cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden).map((c) => tree(c, [...path, c.name()])),
    summary: cmd.summary() || cmd.description().split('\n')[0] || '',
  };
}

const flagsOf = (opts: Option[]) => opts.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
const takesValue = (o: Option) => o.required || o.optional;
const fileFlags = new Set(['--kubeconfig', '--state-dir', '--scenario', '--file']);

function bash(name: string, root: Node): string {
  const fn = `_${name.replace(/[^a-z0-9]/gi, '_')}`;
  const globals = flagsOf(root.options).join(' ');
  const all: Node[] = [];
  (function walk(n: Node) {
    all.push(n);
    n.children.forEach(walk);
  })(root);
  const valueFlags = [...new Set(all.flatMap((n) => n.options.filter(takesValue).flatMap((o) => flagsOf([o]))))].join('|');
  // Choices differ per command (plan -o table|json|yaml, explain -o …): key them by path.
  const choiceCases = all
    .flatMap((n) =>
      n.options
        .filter((o) => o.argChoices)
        .map((o) => `    ${flagsOf([o]).map((f) => `"${n.path.join(' ')}|${f}"`).join('|')}) COMPREPLY=($(compgen -W "${o.argChoices!.join(' ')}" -- "$cur")); return ;;`),
    )
    .join('\n');
  const cases = all
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.children.map((c) => c.path.at(-1)!), ...flagsOf(n.options), ...(n.path.length ? [globals] : [])].join(' ')}" ;;`)
    .join('\n');
  return `# ${name} bash completion: source <(${name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" words="" i w skip=0
  for ((i=1; i<COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      ${valueFlags || '--no-such-flag'}) skip=1 ;;
      -*) ;;
      *) path="\${path:+$path }$w" ;;
    esac
  done
  case "$prev" in
    ${[...fileFlags].join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --context) COMPREPLY=($(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur")); return ;;
  esac
  case "$path|$prev" in
${choiceCases}
  esac
  case "$path" in
${cases}
    *) words="${globals}" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
}

function zsh(name: string, root: Node): string {
  return `#compdef ${name}
# ${name} zsh completion: source <(${name} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(name, root)}`;
}

function fish(name: string, root: Node): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [`# ${name} fish completion: ${name} completion fish | source`, `complete -c ${name} -f`];
  const opt = (cond: string, o: Option) => {
    const parts = [`complete -c ${name}`];
    if (cond) parts.push(`-n ${q(cond)}`);
    if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
    if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
    if (o.argChoices) parts.push(`-xa ${q(o.argChoices.join(' '))}`);
    else if (o.long && fileFlags.has(o.long)) parts.push('-rF');
    else if (o.long === '--context') parts.push(`-xa ${q('(kubectl config get-contexts -o name 2>/dev/null)')}`);
    else if (takesValue(o)) parts.push('-x');
    if (o.description) parts.push(`-d ${q(o.description)}`);
    return parts.join(' ');
  };
  for (const o of root.options) lines.push(opt('', o));
  (function walk(n: Node) {
    const seen = n.path.map((p) => `__fish_seen_subcommand_from ${p}`).join('; and ');
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `${seen}; and not __fish_seen_subcommand_from ${n.children.map((c) => c.path.at(-1)).join(' ') || '__none__'}`;
    for (const c of n.children) lines.push(`complete -c ${name} -n ${q(cond)} -a ${c.path.at(-1)} -d ${q(c.summary)}`);
    if (n.path.length) for (const o of n.options) lines.push(opt(seen, o));
    n.children.forEach(walk);
  })(root);
  return lines.join('\n') + '\n';
}

export const shells = { bash, zsh, fish } as const;

export const completionCommand: CommandModule = {
  name: 'completion',
  register(program, ctx: CliContext) {
    program
      .command('completion')
      .summary('print a shell completion script')
      .description('Prints a completion script: `source <(fallow completion bash)`, `source <(fallow completion zsh)`, `fallow completion fish | source`.')
      .argument('<shell>', 'bash, zsh or fish')
      .action((shell: string) => {
        const gen = shells[shell as keyof typeof shells];
        if (!gen) {
          program.error(`unknown shell "${shell}": use bash, zsh or fish`, { exitCode: 2, code: 'fallow.usage' });
        }
        // Completion is for the `fallow` binary; the kubectl plugin binary is kubectl-fallow.
        ctx.io.stdout.write(gen(ctx.name === 'fallow' ? 'fallow' : 'kubectl-fallow', tree(program)));
      });
  },
};
