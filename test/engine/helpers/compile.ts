// Transpiles a TypeScript entry and every relative module it imports to plain ESM, so
// the crash tests can start dozens of child processes without paying tsx's start-up each
// time. Output goes under node_modules/.cache so bare imports (zod) still resolve.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const repoRoot = resolve(import.meta.dirname, '../../..');
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g;

export interface Compiled {
  entry: string;
  dispose(): void;
}

export function compileForNode(entryTs: string, name: string): Compiled {
  const outRoot = join(repoRoot, 'node_modules', '.cache', `fallow-${name}-${process.pid}`);
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  writeFileSync(join(outRoot, 'package.json'), '{"type":"module"}\n');
  const seen = new Set<string>();
  const queue = [resolve(entryTs)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(RELATIVE_IMPORT)) queue.push(resolve(dirname(file), `${m[1]}.ts`));
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    });
    const out = join(outRoot, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  return {
    entry: join(outRoot, relative(repoRoot, resolve(entryTs))).replace(/\.ts$/, '.js'),
    dispose: () => rmSync(outRoot, { recursive: true, force: true }),
  };
}
