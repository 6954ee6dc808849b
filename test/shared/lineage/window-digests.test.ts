import assert from 'node:assert/strict';
import { windowDigests, type InputDate, type InputWindow } from '../../../shared/lineage/input-fingerprints.js';
import { digest } from '../../../shared/lineage/lineage-record.js';
import { addDaysIso, type IsoDate } from '../../../shared/util/dates.js';

/** An input's dates over two seasons with gaps (an off-season, missing days), sorted as parsed. */
function inputDates(): InputDate[] {
  const out: InputDate[] = [];
  for (let i = 0; i < 400; i += 1) {
    if (i % 3 === 1 || (i >= 150 && i < 230)) continue;
    out.push({ date: addDaysIso('2021-10-01', i), rows: 10 + (i % 7), fingerprint: `f${i}`, season: i < 190 ? 2021 : 2022 });
  }
  return out;
}

const entry = (e: InputDate) => `${e.date}|${e.rows}|${e.fingerprint}`;

/** The windows as the module's doc defines them, by scanning every date: what the fast path must equal. */
function reference(window: InputWindow, dates: readonly InputDate[], target: IsoDate): string {
  if (window.kind === 'before' && window.days !== 'all') {
    const from = addDaysIso(target, -window.days);
    return digest(dates.filter((e) => e.date >= from && (e.date < target || (window.sameDate && e.date === target))).map(entry).join(','));
  }
  if (window.kind === 'season_to_date') {
    const season = dates.find((e) => e.date === target)?.season ?? null;
    const from = addDaysIso(target, -window.daysBefore);
    const others = dates.filter((e) => e.date >= from && e.date <= target && e.season !== season).map(entry);
    let own = 'none';
    if (season !== null) {
      own = 'start';
      for (const e of dates) if (e.season === season && e.date <= target) own = digest(`${own}|${entry(e)}`);
    }
    return digest(`${season ?? 'none'}|${own}|${others.join(',')}`);
  }
  throw new Error('not a windowed kind');
}

describe('input window digests', () => {
  const dates = inputDates();
  // Dates with and without rows, before the first and after the last, out of order.
  const targets: IsoDate[] = [
    '2021-09-20', '2021-10-01', '2021-10-02', '2021-10-03', '2022-02-27', '2022-03-01', '2022-05-19', '2022-05-20', '2022-11-05', '2021-12-25',
  ];
  const windows: InputWindow[] = [
    { kind: 'before', days: 1, sameDate: false },
    { kind: 'before', days: 14, sameDate: false },
    { kind: 'before', days: 14, sameDate: true },
    { kind: 'before', days: 100, sameDate: true },
    { kind: 'season_to_date', daysBefore: 0 },
    { kind: 'season_to_date', daysBefore: 30 },
  ];
  for (const window of windows) {
    it(`${JSON.stringify(window)}: each target's digest covers exactly the dates its window reads`, () => {
      const got = windowDigests(window, dates, targets);
      for (const target of targets) assert.equal(got.get(target), reference(window, dates, target), target);
    });
  }

  it('a changed entry changes the digest of every target whose window reads it, and no other', () => {
    const window: InputWindow = { kind: 'before', days: 14, sameDate: false };
    const changed = dates.map((e) => (e.date === '2022-02-21' ? { ...e, rows: e.rows + 1 } : e));
    const [a, b] = [windowDigests(window, dates, targets), windowDigests(window, changed, targets)];
    const moved = targets.filter((t) => a.get(t) !== b.get(t)).sort();
    assert.deepEqual(moved, ['2022-02-27', '2022-03-01']);
  });
});
