// Reading scenario files: YAML → zod validation → a typed Scenario. A bad file fails with
// every problem on its own line, naming the field path and what was expected:
//   scenarios/x.yaml: nodes[2].ip: expected an IPv4 address like 192.168.122.141 (got "harv")
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import { scenarioSchema, ScenarioApiVersion, type Scenario, type ScenarioInput } from './schema.js';

/** scenarios/ at the package root (works from src/ under tsx and from dist/). */
export function scenariosDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (/[\\/](src|dist)$/.test(dir)) return join(dirname(dir), 'scenarios');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'scenarios');
}

/** A name ("default", "witness") or a path. */
export function scenarioPath(nameOrPath: string): string {
  return /[\\/]|\.ya?ml$/.test(nameOrPath) ? nameOrPath : join(scenariosDir(), `${nameOrPath}.yaml`);
}

export async function loadScenarioFile(nameOrPath: string): Promise<Scenario> {
  const path = scenarioPath(nameOrPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read scenario file ${path}: ${(e as Error).message}`, 'Pass an existing file or one of the built-in names (default, witness)');
  }
  return parseScenario(text, path);
}

export function parseScenario(text: string, source = 'scenario'): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`${source} is not valid YAML: ${(e as Error).message}`, 'Fix the YAML syntax');
  }
  return validateScenario(doc, source);
}

export function validateScenario(doc: unknown, source = 'scenario'): Scenario {
  const version = (doc as { apiVersion?: unknown } | null)?.apiVersion;
  if (typeof doc === 'object' && doc !== null && version !== ScenarioApiVersion) {
    throw new UsageError(`${source}: apiVersion: expected "${ScenarioApiVersion}", found ${JSON.stringify(version ?? null)}`, 'Write the scenario for this version of fallow (see scenarios/default.yaml)');
  }
  const r = scenarioSchema.safeParse(doc as ScenarioInput);
  if (r.success) return r.data;
  throw new UsageError(`${source} is not a valid scenario:\n${formatIssues(r.error.issues, doc)}`, 'Fix the fields above (see scenarios/default.yaml for a complete example)');
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], doc: unknown): string {
  return issues
    .map((i) => {
      const path = formatPath(i.path);
      const got = valueAt(doc, i.path);
      const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, 60)})`;
      return `  ${path || '(top level)'}: ${i.message}${shown}`;
    })
    .join('\n');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return typeof cur === 'object' ? undefined : cur;
}
