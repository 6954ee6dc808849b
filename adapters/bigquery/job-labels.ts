import { createHash } from 'node:crypto';

/** BigQuery label limits: https://cloud.google.com/bigquery/docs/labels-intro#requirements */
export const MAX_LABEL_LENGTH = 63;
export const MAX_LABELS = 64;

/**
 * A label value under BigQuery's rules: lowercase letters, digits, `_` and `-`, at most 63 characters.
 * A value that has to be cut keeps a short hash of the original, so two long run ids stay distinct.
 */
export function labelValue(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  if (cleaned.length <= MAX_LABEL_LENGTH) return cleaned;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_LABEL_LENGTH - hash.length - 1)}-${hash}`;
}

/** A label key: as a value, but never empty and starting with a lowercase letter. */
export function labelKey(key: string): string {
  const value = labelValue(key);
  return /^[a-z]/.test(value) ? value : labelValue(`l_${key}`);
}

/** Job labels, sanitised; later entries win; at most 64 (the rest are dropped, labels are for billing reports). */
export function jobLabels(...sources: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) labels[labelKey(key)] = labelValue(value);
  }
  return Object.fromEntries(Object.entries(labels).slice(0, MAX_LABELS));
}
