import { ANALYTICS_TABLES } from '../tables/names.js';
import { formatDateRanges } from '../util/dates.js';
import type { StartedRun } from './start-run.js';

/** What a started run will do, for people: its chunks, the inputs planned first, what it redoes. */
export function planLines(started: StartedRun): string[] {
  const { plan, run } = started;
  const tables = ANALYTICS_TABLES.filter((t) => plan.datesByTable[t] !== undefined).map((t) => `${t} ${plan.datesByTable[t]?.length ?? 0}`).join(', ');
  const lines = [`${started.created ? 'Planned' : 'Resuming'} ${run.id}: ${run.chunkCount} chunks (${tables || 'no game dates in range'})`];
  for (const table of ANALYTICS_TABLES) {
    const inputs = plan.inputsByTable[table];
    if (!inputs?.length) continue;
    lines.push(`  history first: ${inputs.length} ${table} partitions the requested dates read are missing, short or stale, planned before them: ${clip(formatDateRanges(inputs))}`);
    const excluded = plan.excludedInputs[table];
    if (excluded?.length) lines.push(`    of which excluded but read by later dates, built as inputs: ${clip(formatDateRanges(excluded))}`);
  }
  const rebuild = plan.rebuild.length;
  if (rebuild > 0) lines.push(`  ${rebuild} partition${rebuild === 1 ? '' : 's'} the warehouse lacks or holds short, in excess or stale: (re)built`);
  if (started.chunksAdded && !started.created) lines.push(`  ${started.chunksAdded} new chunks linked`);
  for (const note of started.notes) lines.push(`  note: ${note}`);
  if (started.redone > 0) lines.push(`  ${started.redone} finished chunk${started.redone === 1 ? '' : 's'} sent back to work${plan.request.reprocess === 'none' ? '' : ` (reprocess ${plan.request.reprocess})`}`);
  return lines;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
