import * as ff from '@google-cloud/functions-framework';
import { processChunk } from './process-chunk.js';
import { reconcile } from './reconcile.js';
import { backfillApi } from './backfill-api.js';
import { answerBodyErrorsAsJson } from './body-errors.js';

// Before functions-framework builds its Express app: a client's body error is JSON, not an HTML page.
answerBodyErrorsAsJson();

// Entry points as listed in functions/manifest.ts (infra and its test read the same list).
ff.cloudEvent('processChunk', processChunk);
ff.cloudEvent('reconcile', reconcile);
ff.http('backfillApi', backfillApi);

export { processChunk, reconcile, backfillApi };
