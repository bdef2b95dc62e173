// Safe HTML building: a tagged template that escapes every interpolated value unless it is
// already markup built by this same template. The only other way to make Html is the
// loudly named `Html.unsafeRaw`, so cluster data (names, labels, messages) cannot become
// markup by accident.

export class Html {
  private constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
  /** Markup taken as is. Only for text built by `html` or constants of this folder. */
  static unsafeRaw(value: string): Html {
    return new Html(value);
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function piece(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(piece).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += piece(v) + (strings[i + 1] ?? '');
  });
  return Html.unsafeRaw(out);
}
