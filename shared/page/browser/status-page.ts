/**
 * The status page's script (served as a file: the page's Content-Security-Policy runs no inline
 * code). Everything it shows is already in the page; it only makes it easier to read and act on:
 *
 * - a calendar cell hovered or focused fills its table's details line (date, state, rows, reason),
 *   and the arrow keys move between cells (one tab stop per calendar);
 * - cancel and retry post to the API's routes and refresh the page in place;
 * - while a run is active (body[data-refresh]), the page refreshes itself in place every few
 *   seconds, only while it is visible.
 */

const labels = new Map<string, string>();
function labelOf(state: string): string {
  if (labels.size === 0) {
    for (const li of document.querySelectorAll<HTMLElement>('ul.legend li[data-state]')) labels.set(li.dataset.state ?? '', li.textContent?.trim() ?? '');
  }
  return labels.get(state) ?? state;
}

function cellOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof HTMLElement && target.matches('.cells i[data-d]') ? target : null;
}

function showDetails(cell: HTMLElement): void {
  const details = cell.closest('article')?.querySelector<HTMLElement>('.details');
  if (!details) return;
  const { d, s, r, e, n } = cell.dataset;
  const date = document.createElement('b');
  date.textContent = d ?? '';
  const rows = Number(r).toLocaleString('en-US');
  const parts = [` · ${labelOf(s ?? '')} · ${e === '0' ? `${rows} rows, none expected` : `${rows} of ${Number(e).toLocaleString('en-US')} expected rows`}`];
  if (n) parts.push(` · ${n}`);
  details.replaceChildren(date, document.createTextNode(parts.join('')));
}

document.addEventListener('pointerover', (event) => {
  const cell = cellOf(event.target);
  if (cell) showDetails(cell);
});
document.addEventListener('focusin', (event) => {
  const cell = cellOf(event.target);
  if (cell) showDetails(cell);
});

/** The calendar's one tab stop moves to the cell given focus. */
function moveFocus(from: HTMLElement | null | undefined, to: HTMLElement): void {
  const calendar = to.closest('.calendar');
  for (const stop of calendar?.querySelectorAll<HTMLElement>('.cells i[tabindex="0"]') ?? []) if (stop !== to) stop.tabIndex = -1;
  if (from && from !== to) from.tabIndex = -1;
  to.tabIndex = 0;
  to.focus();
}

/** A click on a cell focuses it, so the arrow keys go on from there. */
document.addEventListener('click', (event) => {
  const cell = cellOf(event.target);
  if (cell) moveFocus(null, cell);
});

/** Arrow keys within one calendar: left and right along the dates, up and down between seasons. */
document.addEventListener('keydown', (event) => {
  const cell = cellOf(event.target);
  if (!cell) return;
  const row = cell.parentElement;
  const calendar = cell.closest('.calendar');
  if (!row || !calendar) return;
  const rows = [...calendar.querySelectorAll<HTMLElement>('.cells')];
  const inRow = [...row.children] as HTMLElement[];
  const index = inRow.indexOf(cell);
  const rowIndex = rows.indexOf(row);
  const all = [...calendar.querySelectorAll<HTMLElement>('.cells i[data-d]')];
  const at = all.indexOf(cell);
  let next: HTMLElement | undefined;
  if (event.key === 'ArrowRight') next = all[at + 1];
  else if (event.key === 'ArrowLeft') next = all[at - 1];
  else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    const other = rows[rowIndex + (event.key === 'ArrowDown' ? 1 : -1)];
    if (other) next = other.children[Math.min(index, other.children.length - 1)] as HTMLElement | undefined;
  } else if (event.key === 'Home') next = inRow[0];
  else if (event.key === 'End') next = inRow[inRow.length - 1];
  if (!next) return;
  event.preventDefault();
  moveFocus(cell, next);
});

function notify(text: string): void {
  const notice = document.getElementById('notice');
  if (!notice) return;
  notice.textContent = text;
  notice.hidden = false;
}

/** Cancel and retry: the routes the CLI and curl use; the answer is shown, then the page refreshes. */
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
  event.preventDefault();
  const { action, run } = form.dataset;
  if (action === 'cancel' && !window.confirm(`Cancel ${run}? Chunks running now finish; the rest wait until it is retried.`)) return;
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  void (async () => {
    try {
      const response = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const body = (await response.json().catch(() => ({}))) as { error?: string; run?: { state?: string }; retried?: number };
      if (!response.ok) notify(`${action} ${run}: ${response.status} ${body.error ?? response.statusText}`);
      else notify(`${run} is ${body.run?.state ?? 'changed'}${body.retried !== undefined ? ` (${body.retried} chunks retried)` : ''}`);
    } catch (error) {
      notify(`${action} ${run} failed: ${String(error)}`);
    }
    await refresh();
  })();
});

let timer: number | undefined;

/** Fetch this view again and swap in what changed, keeping the pickers as the user left them and the focused date. */
async function refresh(): Promise<void> {
  window.clearTimeout(timer);
  const focused = cellOf(document.activeElement);
  const keep = focused ? { table: focused.closest('article')?.dataset.table, date: focused.dataset.d } : null;
  try {
    const response = await fetch(window.location.href, { headers: { accept: 'text/html' } });
    if (response.ok) {
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const selector of ['#main', 'header .overall', 'footer']) {
        const now = document.querySelector(selector);
        const fresh = next.querySelector(selector);
        if (now && fresh) now.replaceWith(document.adoptNode(fresh));
      }
      document.title = next.title;
      const refreshSeconds = next.body.dataset.refresh;
      if (refreshSeconds) document.body.dataset.refresh = refreshSeconds;
      else delete document.body.dataset.refresh;
      if (keep?.table && keep.date) {
        const cell = document.querySelector<HTMLElement>(`article[data-table="${keep.table}"] .cells i[data-d="${keep.date}"]`);
        if (cell) moveFocus(null, cell);
      }
    }
  } finally {
    schedule();
  }
}

function schedule(): void {
  window.clearTimeout(timer);
  const seconds = Number(document.body.dataset.refresh);
  if (seconds > 0 && document.visibilityState === 'visible') timer = window.setTimeout(() => void refresh(), seconds * 1000);
}

document.addEventListener('visibilitychange', schedule);
schedule();
