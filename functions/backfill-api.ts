import type { Request, Response } from '@google-cloud/functions-framework';
import { handleApiRequest } from '../shared/api/handle-api.js';
import { getService } from './service.js';

/**
 * HTTP: POST /backfills, GET /backfills/:id, POST /backfills/:id/cancel|retry, GET /verify.
 * Deployed without public access: callers present a Google ID token.
 */
export async function backfillApi(req: Request, res: Response): Promise<void> {
  const service = await getService();
  let body: unknown = req.body;
  // functions-framework hands over the raw text when the JSON did not parse: that is a 400, not a crash.
  if (req.is('application/json') && typeof body === 'string') {
    res.status(400).json({ error: 'the body is not valid JSON' });
    return;
  }
  if (req.method === 'POST' && body !== undefined && !req.is('application/json') && Buffer.isBuffer(req.rawBody) && req.rawBody.length > 0) {
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'the body is not valid JSON' });
      return;
    }
  }
  try {
    const out = await handleApiRequest(service, { method: req.method, path: req.path, query: req.query, body });
    res.status(out.status).type(out.contentType);
    if (typeof out.body === 'string') res.send(out.body);
    else res.send(JSON.stringify(out.body, null, 2));
  } catch (error) {
    service.logger.error('API request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.message : String(error) });
    res.status(500).json({ error: 'internal error; see the logs' });
  }
}
