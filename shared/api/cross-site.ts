/**
 * Whether a request that changes something came from another site's page. Browsers say where a
 * request comes from in `Sec-Fetch-Site`; the status page's own buttons send `same-origin`, a person
 * typing a URL `none`, and the CLI or curl send nothing. Any other value is a page elsewhere (even on
 * another port of localhost, where `gcloud run services proxy` or `backfill serve` listen) trying to
 * start, cancel or retry a run with the user's access: refused.
 */
export function isCrossSiteWrite(method: string, secFetchSite: string | undefined): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  return secFetchSite !== undefined && secFetchSite !== 'same-origin' && secFetchSite !== 'none';
}
