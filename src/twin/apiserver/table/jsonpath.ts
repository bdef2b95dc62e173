// The JSONPath subset CRD printer columns use: field steps (.a.b), indexes ([0]),
// wildcards ([*]) and equality filters ([?(@.type=='Ready')], also != and nested
// @.a.b). Returns every match, in order, as client-go's jsonpath FindResults does.

type Step = { kind: 'field'; name: string } | { kind: 'index'; i: number } | { kind: 'all' } | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

const cache = new Map<string, Step[]>();

function parse(expr: string): Step[] {
  const hit = cache.get(expr);
  if (hit) return hit;
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(s.slice(i));
      if (!m) throw new Error(`bad JSONPath ${expr}`);
      steps.push({ kind: 'field', name: m[1]! });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = matchBracket(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', i: Number(inner) });
      else {
        const f = /^\?\(@((?:\.[\w-]+)+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"|([\w.-]+))\)$/.exec(inner);
        if (!f) throw new Error(`unsupported JSONPath filter ${inner} in ${expr}`);
        steps.push({ kind: 'filter', path: f[1]!.slice(1).split('.'), op: f[2] as '==' | '!=', value: f[3] ?? f[4] ?? f[5] ?? '' });
      }
    } else throw new Error(`bad JSONPath ${expr}`);
  }
  cache.set(expr, steps);
  return steps;
}

function matchBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return i;
  }
  throw new Error(`unbalanced [ in JSONPath ${s}`);
}

function child(v: unknown, name: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function findResults(obj: unknown, expr: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of parse(expr)) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.kind) {
        case 'field': {
          const c = child(v, step.name);
          if (c !== undefined) next.push(c);
          break;
        }
        case 'index':
          if (Array.isArray(v)) {
            const c = v[step.i < 0 ? v.length + step.i : step.i];
            if (c !== undefined) next.push(c);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const el of v) {
              let x: unknown = el;
              for (const p of step.path) x = child(x, p);
              if (x === undefined) continue;
              if ((scalar(x) === step.value) === (step.op === '==')) next.push(el);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur.filter((v) => v !== null && v !== undefined);
}
