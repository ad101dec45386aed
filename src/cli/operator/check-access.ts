/**
 * The `check` steps that prove the calls the daemon makes after start-up: the catch-up's activity
 * query and conversation GET, the attribute PATCH, and the topic permissions Genesys reports
 * (`availabletopics?expand=requiresPermissions`). Reads are made for real; the PATCH is probed on
 * a made-up conversation id, so nothing is written (see `probeWrite`).
 */
import { randomUUID } from 'node:crypto';
import { callFor } from '../../genesys/calls.js';
import { GenesysApiError } from '../../genesys/errors.js';
import type { Check, CheckState } from './check-state.js';
import { checkFailureText, refusedPermission } from './check-permission.js';
import { result, type CheckResult } from './report.js';

const ACTIVITY = 'POST /api/v2/analytics/conversations/activity/query';
const GET_CONVERSATION = 'GET /api/v2/conversations/{conversationId}';
const PATCH_ATTRIBUTES = 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes';

/** `METHOD path (permission)` for a report line. */
function named(endpoint: string): string {
  const permission = callFor(endpoint)?.permission;
  return permission !== undefined ? `${endpoint} (${permission})` : endpoint;
}

/** A refused call is a failure naming the permission; any other error is a failure as it is. */
function refused(endpoint: string, purpose: string, err: unknown): CheckResult {
  const permission = refusedPermission(err);
  if (permission !== undefined) return result('permission', 'fail', `${endpoint} (${purpose}): refused, the OAuth client lacks ${permission}`);
  return result('permission', 'fail', `${endpoint} (${purpose}): ${checkFailureText(err)}`);
}

/**
 * The catch-up's two calls: the activity query over the resolved queues, then a GET of one live
 * conversation it found (or of a made-up id when none is live: a 404 then still shows the
 * permission was granted, since Genesys checks permissions before it looks the id up).
 */
export const checkCatchUpCalls: Check = async (state) => {
  const { api } = state;
  if (api === undefined) return [result('permission', 'skip', 'catch-up calls not checked: no login')];
  const out: CheckResult[] = [];
  let liveId: string | undefined;
  if (state.queues.length === 0) {
    out.push(result('permission', 'skip', `${ACTIVITY} not checked: no queue resolved`));
  } else {
    try {
      const { entities } = await api.activeConversations(state.queues.map((q) => q.id));
      liveId = entities[0]?.conversationId;
      out.push(result('permission', 'ok', `${named(ACTIVITY)}: granted (${entities.length} live conversation${entities.length === 1 ? '' : 's'})`));
    } catch (err) {
      out.push(refused(ACTIVITY, 'catch-up query', err));
    }
  }
  try {
    await api.getConversation(liveId ?? randomUUID());
    out.push(result('permission', 'ok', `${named(GET_CONVERSATION)}: granted (read one live conversation)`));
  } catch (err) {
    if (err instanceof GenesysApiError && err.status === 404) {
      out.push(result('permission', 'ok', `${named(GET_CONVERSATION)}: granted (a made-up id answered 404)`));
    } else {
      out.push(refused(GET_CONVERSATION, 'catch-up read', err));
    }
  }
  out.push(await probeWrite(state));
  return out;
};

/**
 * The attribute PATCH is documented as needing no permission, and a real probe would be a write.
 * So it is sent for a made-up conversation and participant: 404 (or 400) means Genesys took the
 * call up and found nothing to write; 403 names a permission the org requires after all.
 */
async function probeWrite(state: CheckState): Promise<CheckResult> {
  const { api } = state;
  if (api === undefined) return result('permission', 'skip', 'attribute write not checked: no login');
  try {
    await api.patchParticipantAttributes(randomUUID(), randomUUID(), {});
    return result('permission', 'warn', `${PATCH_ATTRIBUTES}: a made-up conversation was accepted; cannot tell more without a real write`);
  } catch (err) {
    if (err instanceof GenesysApiError && (err.status === 404 || err.status === 400)) {
      return result('permission', 'ok', `${PATCH_ATTRIBUTES}: no permission documented; not refused (probed on a made-up conversation: ${err.status}, nothing written)`);
    }
    return refused(PATCH_ATTRIBUTES, 'attribute write', err);
  }
}

/** The daemon's topic templates: the generic queue topic, the media-specific ones, the flow's. */
export const DAEMON_TOPIC_TEMPLATES = [
  'v2.routing.queues.{id}.conversations',
  ...['calls', 'callbacks', 'chats', 'emails', 'messages'].map((m) => `v2.routing.queues.{id}.conversations.${m}`),
  'v2.flows.{id}',
] as const;

/** What Genesys says each topic the daemon uses requires (the probe channel shows whether it is held). */
export const checkTopicPermissions: Check = async (state) => {
  const { api } = state;
  if (api === undefined) return [result('topic perms', 'skip', 'not checked: no login')];
  try {
    const topics = new Map((await api.availableTopics()).map((t) => [t.id, t.requiresPermissions]));
    const details = DAEMON_TOPIC_TEMPLATES.map((id) => {
      const perms = topics.get(id);
      if (perms === undefined) return `${id}: not listed by this org`;
      return `${id}: ${perms.length > 0 ? perms.join(', ') : 'no permission'}`;
    });
    return [result('topic perms', 'ok', 'permissions the daemon\'s topics require, as Genesys reports them', details)];
  } catch (err) {
    return [result('topic perms', 'warn', `cannot list them: ${checkFailureText(err)}`)];
  }
};
