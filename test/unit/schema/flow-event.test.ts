import type { Models } from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { flowRefreshCause } from '../../../src/schema/flow-event.js';

const FLOW = 'f0e1d2c3-b4a5-4697-8877-665544332211';

function flowEvent(
  publishedVersion: string | undefined,
  op?: Partial<Models.ArchitectFlowNotificationArchitectOperation>,
  extra: Partial<Models.ArchitectFlowNotificationFlowNotification> = {},
): Models.ArchitectFlowNotificationFlowNotification {
  const body: Models.ArchitectFlowNotificationFlowNotification = {
    id: FLOW,
    name: 'Enrichment inputs',
    checkedInVersion: { id: '8.0' },
    savedVersion: { id: '9.0' },
    ...extra,
  };
  if (publishedVersion !== undefined) body.publishedVersion = { id: publishedVersion };
  if (op !== undefined) body.currentOperation = { id: 'op-1', user: { id: 'u-1', name: 'Architect' }, ...op };
  return body;
}

describe('flowRefreshCause', () => {
  it.each([
    ['publish succeeded', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'SUCCESS', complete: true }), 'published'],
    ['publish succeeded, complete not sent', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'SUCCESS' }), 'published'],
    ['publish succeeded, no version in the body', flowEvent(undefined, { actionName: 'PUBLISH', actionStatus: 'SUCCESS', complete: true }), 'published'],
    ['publish started', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'STARTED', complete: false }), undefined],
    ['publish generating', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'PENDING_GENERATION', complete: false }), undefined],
    ['publish failed', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'FAILURE', complete: true, errorCode: 'x' }), undefined],
    ['publish success but not complete', flowEvent('7.0', { actionName: 'PUBLISH', actionStatus: 'SUCCESS', complete: false }), undefined],
    ['check-in', flowEvent('7.0', { actionName: 'CHECKIN', actionStatus: 'SUCCESS', complete: true }), undefined],
    ['save', flowEvent('7.0', { actionName: 'SAVE', actionStatus: 'SUCCESS', complete: true }), undefined],
    ['a new published version without an operation', flowEvent('8.0'), 'version-changed'],
    ['a new published version after a check-in', flowEvent('8.0', { actionName: 'CHECKIN', actionStatus: 'SUCCESS', complete: true }), 'version-changed'],
    ['an old event with an older version', flowEvent('6.0'), 'version-changed'],
    ['deleted', flowEvent('8.0', { actionName: 'DELETE', actionStatus: 'SUCCESS', complete: true }, { deleted: true }), undefined],
    ['no versions at all', flowEvent(undefined), undefined],
  ])('%s', (_name, body, expected) => {
    expect(flowRefreshCause(JSON.parse(JSON.stringify(body)), '7.0')).toBe(expected);
  });

  it('refreshes on any published version before a first load', () => {
    expect(flowRefreshCause(flowEvent('7.0'), undefined)).toBe('version-changed');
  });

  it.each([
    ['null', null],
    ['a string', 'PUBLISH'],
    ['an array', [{ currentOperation: { actionName: 'PUBLISH', actionStatus: 'SUCCESS' } }]],
    ['a bad operation', { currentOperation: 'PUBLISH', publishedVersion: '8.0' }],
    ['a version id that is not a string', { publishedVersion: { id: 8 } }],
    ['an empty version id', { publishedVersion: { id: '' } }],
  ])('ignores %s', (_name, body) => {
    expect(flowRefreshCause(body, '7.0')).toBeUndefined();
  });
});
