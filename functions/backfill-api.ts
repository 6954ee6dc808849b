import type { Request, Response } from '@google-cloud/functions-framework';
import { isCrossSiteWrite } from '../shared/api/cross-site.js';
import { handleApiRequest } from '../shared/api/handle-api.js';
import { LIMITS } from '../shared/config/defaults.js';
import { getService } from './service.js';
import { pageScript } from './page-script.js';
import { BODY_EXAMPLE, tooLarge } from './body-errors.js';

/**
 * HTTP: GET / (the status page), POST /backfills, GET /backfills/:id, POST /backfills/:id/cancel|retry, GET /verify, GET /verifications.
 * Deployed without public access: callers present a Google ID token.
 */
export async function backfillApi(req: Request, res: Response): Promise<void> {
  const service = await getService();
  const bytes = Buffer.isBuffer(req.rawBody) ? req.rawBody.length : 0;
  if (bytes > LIMITS.maxRequestBytes) {
    const { status, error, details } = tooLarge(bytes);
    res.status(status).json({ error, details });
    return;
  }
  if (isCrossSiteWrite(req.method.toUpperCase(), req.get('sec-fetch-site'))) {
    res.status(403).json({ error: 'refused: a page of another site sent this request', details: ['send it from the status page, the CLI or curl'] });
    return;
  }
  const body = bodyOf(req);
  if ('error' in body) {
    res.status(400).json({ error: 'the body is not valid JSON', details: [body.error, `send a JSON object like ${BODY_EXAMPLE}`] });
    return;
  }
  try {
    const deps = { ...service, history: service.alerter.history, alerts: service.alerter.alerts, reconcileTrigger: service.reconcileTrigger, pageScript: pageScript() };
    const out = await handleApiRequest(deps, { method: req.method, path: req.path, query: req.query, body: body.value });
    res.status(out.status).type(out.contentType);
    if (out.headers) res.set(out.headers);
    if (typeof out.body === 'string') res.send(out.body);
    else res.send(JSON.stringify(out.body, null, 2));
  } catch (error) {
    service.logger.error('API request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.message : String(error) });
    res.status(500).json({ error: 'internal error; see the logs' });
  }
}

/**
 * The JSON body, whatever the content type said. functions-framework parses `application/json` itself
 * (malformed JSON never gets here: functions/body-errors.ts answers it); other types arrive as text, a
 * form or bytes, and are read here as JSON, as `curl -d` without a content type sends it.
 */
function bodyOf(req: Request): { value: unknown } | { error: string } {
  if (req.is('application/json')) {
    return typeof req.body === 'string' ? { error: 'the body did not parse as JSON' } : { value: req.body };
  }
  if (req.method !== 'POST' || !Buffer.isBuffer(req.rawBody) || req.rawBody.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(req.rawBody.toString('utf8')) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
