import { createHash } from 'node:crypto';
import type { ServiceState } from '../ports/ledger.js';
import type { PartitionVersions } from '../ports/warehouse.js';
import { tableSpec } from '../tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../tables/names.js';
import { RAW_TABLE_SPECS } from '../tables/raw-schemas.js';
import { INJURY_REPORT_LOOKBACK_DAYS, MAX_SEASON_SPAN_DAYS } from '../tables/sql-fragments.js';
import { addDaysIso, type IsoDate } from '../util/dates.js';
import { isRawTable } from '../tables/names.js';

/**
 * What coverage healing remembers between passes (in the ledger's state), so that a pass where nothing changed
 * reads partition metadata and nothing else: the targets it covered through which day, and the version of every
 * partition it saw. One state document per source table (a year of dates is a few KB; Firestore documents hold
 * 1 MiB) and one for the pass itself.
 */
export interface HealScope {
  readonly table: AnalyticsTableName;
  readonly start: IsoDate;
  readonly end: IsoDate;
}

export interface HealMemory {
  /** The targets and exclusions of the pass, as one digest: another configuration means a full pass. */
  readonly configKey: string;
  /** The last date the pass covered (yesterday then). */
  readonly through: IsoDate;
  /** False when the pass left gaps: the next one looks at everything again. */
  readonly clean: boolean;
  readonly versions: PartitionVersions;
}

export function configKeyOf(scopes: readonly { table: string; start: IsoDate }[], excludeDates: readonly IsoDate[]): string {
  const text = JSON.stringify({ scopes: scopes.map((s) => [s.table, s.start]).sort(), excludeDates: [...excludeDates].sort() });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The dates of one source whose version differs between two snapshots (added, changed or gone). */
function changedDates(before: Readonly<Record<IsoDate, string>> | undefined, after: Readonly<Record<IsoDate, string>> | undefined): IsoDate[] {
  const dates = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...dates].filter((d) => before?.[d] !== after?.[d]).sort();
}

/**
 * Pure: which dates of which target tables a pass must look at, given what changed since the last one. Null
 * means everything (no memory, another configuration, or gaps left last time); an empty list means nothing.
 *
 * - a raw partition that changed reaches the dates that read it: the same date, the rest of its season for the
 *   team context's schedule window, the games of the next 14 days for an injury report's date;
 * - an analytics partition that changed (written, deleted, changed by hand) is looked at itself, and so is every
 *   later date of the tables that read it;
 * - days added at the end since the last pass (yesterday moved) are looked at in every table.
 */
export function datesToLookAt(
  scopes: readonly HealScope[],
  memory: HealMemory | null,
  now: { readonly configKey: string; readonly through: IsoDate; readonly versions: PartitionVersions },
): HealScope[] | null {
  if (!memory || memory.configKey !== now.configKey || !memory.clean) return null;
  const touched = new Map<AnalyticsTableName, { from: IsoDate; to: IsoDate }>();
  const touch = (table: AnalyticsTableName, from: IsoDate, to: IsoDate) => {
    const current = touched.get(table);
    touched.set(table, { from: current && current.from < from ? current.from : from, to: current && current.to > to ? current.to : to });
  };
  const end = now.through;
  const readersOf = (source: string) => ANALYTICS_TABLES.filter((t) => {
    const spec = tableSpec(t);
    return spec.rawReads.some((r) => r.table === source) || spec.upstream.some((u) => u.table === source);
  });
  for (const key of new Set([...Object.keys(memory.versions), ...Object.keys(now.versions)])) {
    const changed = changedDates(memory.versions[key], now.versions[key]);
    if (changed.length === 0) continue;
    const [kind, source] = key.split('.') as [string, string];
    const first = changed[0] as IsoDate;
    const last = changed[changed.length - 1] as IsoDate;
    if (kind === 'analytics') {
      const table = source as AnalyticsTableName;
      touch(table, first, last);
      for (const reader of readersOf(table)) {
        const dep = tableSpec(reader).upstream.find((u) => u.table === table);
        const to = dep?.lookbackDays === 'all' ? end : addDaysIso(last, dep?.lookbackDays ?? 0);
        touch(reader, dep?.sameDate ? first : addDaysIso(first, 1), to);
      }
      continue;
    }
    if (!isRawTable(source)) continue;
    for (const reader of readersOf(source)) {
      const read = tableSpec(reader).rawReads.find((r) => r.table === source);
      const byPartition = RAW_TABLE_SPECS[source].partitionColumn !== RAW_TABLE_SPECS[source].dateColumn;
      const reach = read?.window.kind === 'season_to_date' ? MAX_SEASON_SPAN_DAYS : byPartition ? INJURY_REPORT_LOOKBACK_DAYS : 0;
      touch(reader, first, addDaysIso(last, reach));
    }
  }
  if (memory.through < end) for (const s of scopes) touch(s.table, addDaysIso(memory.through, 1), end);
  return scopes.flatMap((s) => {
    const t = touched.get(s.table);
    if (!t) return [];
    const start = t.from > s.start ? t.from : s.start;
    const stop = t.to < s.end ? t.to : s.end;
    return start <= stop ? [{ table: s.table, start, end: stop }] : [];
  });
}

const PASS_KEY = (mode: string) => `heal-${mode}`;
const SOURCE_KEY = (mode: string, source: string) => `heal-${mode}.${source}`;

/** The memory as the ledger's state documents: one for the pass, one per source. */
export function memoryDocuments(mode: string, memory: HealMemory): Array<{ key: string; value: ServiceState }> {
  return [
    { key: PASS_KEY(mode), value: { configKey: memory.configKey, through: memory.through, clean: memory.clean, sources: Object.keys(memory.versions).sort() } },
    ...Object.entries(memory.versions).map(([source, versions]) => ({ key: SOURCE_KEY(mode, source), value: { versions } })),
  ];
}

/** The memory back from the ledger's state, or null when there is none (or it is not whole). */
export async function readMemory(mode: string, getState: (key: string) => Promise<ServiceState | null>): Promise<HealMemory | null> {
  const pass = await getState(PASS_KEY(mode));
  if (!pass || typeof pass.configKey !== 'string' || typeof pass.through !== 'string' || typeof pass.clean !== 'boolean' || !Array.isArray(pass.sources)) return null;
  const versions: Record<string, Readonly<Record<IsoDate, string>>> = {};
  for (const source of pass.sources as unknown[]) {
    if (typeof source !== 'string') return null;
    const doc = await getState(SOURCE_KEY(mode, source));
    if (!doc || typeof doc.versions !== 'object' || doc.versions === null) return null;
    versions[source] = doc.versions as Record<IsoDate, string>;
  }
  return { configKey: pass.configKey, through: pass.through, clean: pass.clean, versions };
}
