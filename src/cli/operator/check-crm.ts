/**
 * The CRM probe: one lookup through the real CRM client (fresh, so no cache), reported as
 * reachable or not, how it answered and how long it took. Never prints the sample, the record's
 * values, the rendered URL or any header value.
 */
import { describeConfig } from '../../config/index.js';
import type { CrmContext, CrmResult } from '../../crm/index.js';
import { mapRecord } from '../../enrich/map.js';
import type { Check } from './check-state.js';
import { failureText } from './failure-text.js';
import { result, type CheckResult } from './report.js';

/** Made-up keys for a probe without `--sample`: a fictional NANP number and a reserved domain. */
export const PROBE_DEFAULTS = { phone: '+12025550142', email: 'enricher-check@example.com', conversationId: 'genesys-enricher-check' } as const;

/** The lookup context of the probe: the sample as a phone number or (with an `@`) an e-mail address. */
export function probeContext(sample: string | undefined, queueId: string): CrmContext {
  const keys = sample === undefined ? { phone: PROBE_DEFAULTS.phone, email: PROBE_DEFAULTS.email } : sample.includes('@') ? { email: sample } : { phone: sample };
  return { ...keys, conversationId: PROBE_DEFAULTS.conversationId, queueId, attributes: {} };
}

/** The report line for one probe lookup (pure); `map` counts how many mapped pointers the answer fills. */
export function describeProbe(r: CrmResult, map: Readonly<Record<string, string>>, timeoutMs: number): CheckResult {
  const took = `in ${r.latencyMs} ms`;
  if (r.found) {
    const filled = Object.keys(mapRecord(r.record, map)).length;
    const total = Object.keys(map).length;
    return result('crm', 'ok', `reachable: answered a record (HTTP 2xx) ${took}`, [`${filled} of ${total} mapped pointers found in the answer (values not shown)`]);
  }
  if (r.error === undefined) return result('crm', 'ok', `reachable: answered "not found" (HTTP 404/204) ${took}`);
  switch (r.error) {
    case 'no-lookup-key':
      return result('crm', 'warn', 'not probed: the URL template needs a value the probe has none for (try --sample with a phone number or e-mail address)');
    case 'network':
      return result('crm', 'fail', `unreachable: no connection (network error) ${took}`);
    case 'timeout':
      return result('crm', 'fail', `no answer within crm.timeoutMs (${timeoutMs} ms)`);
    case 'bad-response':
      return result('crm', 'fail', `reachable, but the answer is not a JSON object or array ${took}`);
    case 'too-large':
      return result('crm', 'fail', `reachable, but the answer is larger than the 1 MiB the daemon reads ${took}`);
    case 'http-401':
    case 'http-403':
      return result('crm', 'fail', `reachable, but refused: ${r.error.replace('http-', 'HTTP ')} ${took} (check crm.headers)`);
    default:
      return result('crm', 'fail', r.error.startsWith('http-') ? `reachable, but answered ${r.error.replace('http-', 'HTTP ')} ${took}` : `lookup failed: ${r.error} ${took}`);
  }
}

/** One sample lookup. */
export const checkCrm: Check = async (state) => {
  const { config } = state;
  const where = (describeConfig(config).crm as { url: string }).url;
  let crm;
  try {
    crm = state.deps.crm(config);
  } catch (err) {
    return [result('crm', 'fail', failureText(err))];
  }
  try {
    const answer = await crm.lookup(probeContext(state.sample, state.queues[0]?.id ?? ''));
    const line = describeProbe(answer, config.attributes.map, config.crm.timeoutMs);
    return [{ ...line, details: [`url ${where}${state.sample === undefined ? ', made-up sample' : ', sample from --sample'}`, ...(line.details ?? [])] }];
  } finally {
    await crm.close();
  }
};
