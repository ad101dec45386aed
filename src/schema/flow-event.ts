/**
 * The pure decision "does this `v2.flows.{flowId}` frame mean the published input schema may have
 * changed?" (docs/architecture.md, "Flow input schema": the body carries only version ids and `currentOperation`).
 */
import type { Models } from 'purecloud-platform-client-v2';

/** Why a refresh is due. */
export type RefreshCause = 'published' | 'version-changed';

type Loose<T> = { readonly [K in keyof T]?: unknown };
type RawFlow = Loose<Models.ArchitectFlowNotificationFlowNotification>;
type RawOperation = Loose<Models.ArchitectFlowNotificationArchitectOperation>;
type RawVersion = Loose<Models.ArchitectFlowNotificationFlowVersion>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `published` when `currentOperation` is a successful PUBLISH (`complete` not `false`);
 * `version-changed` when `publishedVersion.id` differs from `currentVersionId`; otherwise `undefined`
 * (saves, check-ins, publishes still running or failed, deletions, garbage). An old event arriving
 * late also reads as `version-changed`: harmless, the refresh fetches what is published now.
 */
export function flowRefreshCause(body: unknown, currentVersionId: string | undefined): RefreshCause | undefined {
  if (!isRecord(body)) return undefined;
  const flow = body as RawFlow;
  if (flow.deleted === true) return undefined;
  if (isRecord(flow.currentOperation)) {
    const op = flow.currentOperation as RawOperation;
    if (op.actionName === 'PUBLISH' && op.actionStatus === 'SUCCESS' && op.complete !== false) return 'published';
  }
  if (isRecord(flow.publishedVersion)) {
    const { id } = flow.publishedVersion as RawVersion;
    if (typeof id === 'string' && id.length > 0 && id !== currentVersionId) return 'version-changed';
  }
  return undefined;
}
