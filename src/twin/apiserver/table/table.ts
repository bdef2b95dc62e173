// meta.k8s.io/v1 Table answers for `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`
// (what kubectl get asks for): built-in kinds through their printers, CRDs through the
// printer columns of resources.ts evaluated with JSONPath, as the apiextensions
// table convertor does (first match only; dates as ages; missing values null).
import type { TwinResourceType } from '../../resources.js';
import type { KObject, ResourceType } from '../../store/types.js';
import { isCrd } from '../discovery.js';
import { builtinPrinters, defaultPrinter, nameColumn, type Cell, type ColumnDef, type Printer } from './builtin.js';
import { age } from './duration.js';
import { findResults } from './jsonpath.js';
import { objectJson } from '../serialize.js';

export interface TableOptions {
  now: number;
  includeObject: 'None' | 'Metadata' | 'Object';
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

const crdPrinters = new WeakMap<ResourceType, Printer>();

function crdPrinter(t: ResourceType): Printer {
  let p = crdPrinters.get(t);
  if (p) return p;
  const cols = (t as TwinResourceType).printerColumns?.length
    ? (t as TwinResourceType).printerColumns!
    : [{ name: 'Age', type: 'date' as const, jsonPath: '.metadata.creationTimestamp' }];
  const columns: ColumnDef[] = [
    nameColumn,
    ...cols.map((c) => ({ name: c.name, type: c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  p = {
    columns,
    row: (o, now) => [o.metadata.name, ...cols.map((c) => cell(c.type, findResults(o, c.jsonPath)[0], now))],
  };
  crdPrinters.set(t, p);
  return p;
}

function cell(type: string, v: unknown, now: number): Cell {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'date':
      return typeof v === 'string' ? age(v, now) : null;
    case 'integer':
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

export function printerFor(t: ResourceType): Printer {
  if (isCrd(t)) return crdPrinter(t);
  const key = `${t.group ? `${t.group}/` : ''}${t.version}/${t.kind}`;
  return builtinPrinters[key] ?? defaultPrinter;
}

const metadataJson = new WeakMap<KObject, string>();

/** The row's object as JSON: PartialObjectMetadata (default, cached per stored version), the object, or none. */
function rowObjectJson(o: KObject, mode: TableOptions['includeObject']): string | undefined {
  if (mode === 'None') return undefined;
  if (mode === 'Object') return objectJson(o);
  let s = metadataJson.get(o);
  if (s === undefined) {
    s = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(o.metadata)}}`;
    metadataJson.set(o, s);
  }
  return s;
}

export function tableJson(t: ResourceType, items: readonly KObject[], opts: TableOptions): string {
  const p = printerFor(t);
  const rows = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    const obj = rowObjectJson(o, opts.includeObject);
    rows[i] = `{"cells":${JSON.stringify(p.row(o, opts.now))}${obj ? `,"object":${obj}` : ''}}`;
  }
  const head = JSON.stringify({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      resourceVersion: opts.resourceVersion,
      ...(opts.continue ? { continue: opts.continue } : {}),
      ...(opts.remainingItemCount !== undefined ? { remainingItemCount: opts.remainingItemCount } : {}),
    },
    columnDefinitions: p.columns,
  });
  return `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`;
}
