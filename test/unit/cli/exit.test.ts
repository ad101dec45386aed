import { describe, expect, it } from 'vitest';
import { describeFailure, scrubFatal } from '../../../src/cli/exit.js';
import { EnricherError } from '../../../src/errors.js';
import { GenesysApiError } from '../../../src/genesys/errors.js';

const pair = Buffer.from('my-client:S3cret-value').toString('base64');

describe('describeFailure', () => {
  it('scrubs credentials a gateway echoed into an API error', () => {
    const err = new GenesysApiError('POST /oauth/token', 401, 'invalid_client', undefined, undefined, `echo Authorization: Basic ${pair} and ${pair}`);
    const { code, message } = describeFailure(err);
    expect(code).toBe(1);
    expect(message).toContain('401');
    expect(message).not.toContain(pair);
    expect(message).not.toContain('S3cret');
  });

  it('scrubs a bearer token from any project error', () => {
    const { message } = describeFailure(new EnricherError('x.y', 'sent Bearer abcdef0123456789.token-value'));
    expect(message).toBe('x.y: sent Bearer [redacted]');
  });
});

describe('scrubFatal', () => {
  it.each([
    ['a bare base64 id:secret pair', `raw ${pair}`, 'raw [redacted]'],
    ['base64url of a pair', `raw ${Buffer.from('id:secret-xyz').toString('base64url')}`, 'raw [redacted]'],
    ['a conversation id stays', 'conversation 0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'conversation 0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
    ['a path stays', 'GET /api/v2/routing/queues answered 500', 'GET /api/v2/routing/queues answered 500'],
    ['plain words stay', 'config file /etc/genesys-enricher/config.yaml: is empty', 'config file /etc/genesys-enricher/config.yaml: is empty'],
  ])('%s', (_name, input, output) => {
    expect(scrubFatal(input)).toBe(output);
  });
});
