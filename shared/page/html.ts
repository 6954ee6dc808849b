import escapeHtml from 'escape-html';

/** Markup that is already safe: what `html` returns, and the only thing it inserts unescaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/**
 * A tagged template for the status page: every interpolated value is escaped (escape-html: & < > " '),
 * so text from the ledger (errors, ids) can never become markup; arrays are joined; null, undefined
 * and booleans render nothing (for `cond && html\`...\``). Attributes are always written quoted.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
