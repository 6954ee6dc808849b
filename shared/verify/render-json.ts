import { VerificationReportSchema, type VerificationReport } from './report-schema.js';

/** The report as JSON (schemaVersion 2). Checked against the schema first, so what leaves is what is documented. */
export function renderJson(report: VerificationReport): string {
  return `${JSON.stringify(VerificationReportSchema.parse(report), null, 2)}\n`;
}

/** Read a report back (history, another process); throws a ZodError when it is not schemaVersion 2. */
export function parseReportJson(json: string): VerificationReport {
  return VerificationReportSchema.parse(JSON.parse(json));
}
