import { CHUNK_STATE_STYLES, STATE_STYLES, type StateStyle } from './cell-states.js';

const OUTLINE = '#555555';

function fill(selector: string, style: StateStyle, property: 'background' | 'fill'): string {
  const outline = style.outlined
    ? property === 'fill' ? `stroke:${OUTLINE};stroke-width:1px;` : `box-shadow:inset 0 0 0 1px ${OUTLINE};`
    : '';
  return `${selector}{${property}:${style.colour};${outline}}`;
}

/**
 * The status page's stylesheet, served as a file (the Content-Security-Policy allows no inline
 * style). State colours are generated from STATE_STYLES and CHUNK_STATE_STYLES, their one source.
 */
export function pageStylesheet(): string {
  const states = Object.entries(STATE_STYLES).flatMap(([state, style]) => [
    fill(`.cells i[data-s="${state}"]`, style, 'background'),
    fill(`.swatch[data-s="${state}"]`, style, 'background'),
  ]);
  const chunks = Object.entries(CHUNK_STATE_STYLES).flatMap(([state, style]) => [
    fill(`.bar rect[data-c="${state}"]`, style, 'fill'),
    fill(`.swatch[data-c="${state}"]`, style, 'background'),
  ]);
  return `${BASE}\n${states.join('\n')}\n${chunks.join('\n')}\n`;
}

const BASE = `
:root{--ink:#1b1b1b;--muted:#5b5b5b;--line:#d8d8d8;--panel:#f6f6f4;--accent:#0072B2;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
body{margin:0;padding:0 20px 32px;font-size:14px;line-height:1.4}
h1{font-size:20px;margin:16px 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:0 0 4px}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12px}
a{color:var(--accent)}
.muted{color:var(--muted)}
header .overall{margin:2px 0 8px}
form.pickers{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;background:var(--panel);padding:8px 12px;border:1px solid var(--line);border-radius:6px}
form.pickers label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
form.pickers fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 10px;font-size:12px}
form.pickers fieldset legend{color:var(--muted);padding:0;margin-bottom:2px}
form.pickers fieldset label{flex-direction:row;align-items:center;gap:3px;color:var(--ink)}
button{font:inherit;padding:3px 10px;border:1px solid #888;border-radius:4px;background:#fff;cursor:pointer}
button:hover{background:#eee}
.status{display:inline-block;font-weight:600;font-size:12px;padding:1px 6px;border-radius:3px;border:1px solid currentColor}
.status[data-status="COMPLETE"],.status[data-status="succeeded"]{color:#00684c}
.status[data-status="FAILED"],.status[data-status="failed"]{color:#a34000}
.status[data-status="INCOMPLETE"],.status[data-status="TEST_ONLY"],.status[data-status="cancelled"]{color:#7a5a00}
.status[data-status="IN_PROGRESS"],.status[data-status="active"]{color:#005a8c}
ul.legend,ul.counts{list-style:none;margin:4px 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
article.table{display:grid;grid-template-columns:220px minmax(0,1fr);gap:6px 16px;padding:10px 0;border-bottom:1px solid var(--line)}
article.table .summary p{margin:2px 0}
article.table .summary h3{font-size:13px}
article.table .problems{margin:4px 0 0;padding-left:16px;font-size:12px}
.calendar{overflow-x:auto}
.season{display:flex;align-items:center;height:14px;margin:1px 0}
.season-name{flex:0 0 52px;font-size:11px;color:var(--muted);font-variant-numeric:tabular-nums}
.cells{display:flex;gap:1px;height:12px}
.cells i{flex:0 0 4px;height:12px;display:block}
.calendar.wide .cells i{flex-basis:8px}
.cells i:hover,.cells i:focus{outline:2px solid var(--ink);outline-offset:1px;position:relative;z-index:1}
.details{min-height:2.8em;margin:4px 0 0;font-size:12px;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:3px 8px;overflow-wrap:anywhere}
.details b{font-weight:600}
table.list{border-collapse:collapse;width:100%;font-size:12px}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:5px 8px 5px 0;text-align:left;vertical-align:top}
table.list th{font-weight:600;color:var(--muted)}
svg.bar{display:block;width:100%;max-width:320px;height:12px;border:1px solid var(--line);border-radius:2px;background:#fff}
.bar-text{font-size:11px;color:var(--muted);margin-top:2px}
.errors{margin:0;padding-left:14px;max-width:420px;overflow-wrap:anywhere}
.actions form{display:inline}
.notice{padding:6px 10px;border-radius:4px;background:#fff5d6;border:1px solid #e0c060;margin:8px 0}
.notice[hidden]{display:none}
footer{margin-top:24px;font-size:12px;color:var(--muted)}
@media (max-width:900px){article.table{grid-template-columns:1fr}}
`.trim();
