/**
 * The Genesys Cloud API as the daemon uses it: a handful of typed calls over the official SDK,
 * each through the ApiCaller (budget, retries, re-login). Nothing else in the daemon imports
 * the SDK.
 */
import type platformClient from 'purecloud-platform-client-v2';
import type { Models } from 'purecloud-platform-client-v2';
import type { Logger } from '../log.js';
import { ApiCaller, PRIORITY, type CallObserver, type CallerOptions, type Priority } from './caller.js';
import type { DeniedCall } from './denials.js';
import { GenesysApiError } from './errors.js';
import { PACING_DEFAULTS } from './pacing.js';
import type { FamilyPause } from './pauses.js';
import { RETRY_DEFAULTS, type RetryPolicy } from './retry.js';
import { createSdkClient, sdkModule, type ApiTarget, type SdkClient } from './sdk.js';
import { TOKEN_DEFAULTS, TokenManager } from './token.js';

/** What a client is built with (the daemon's from the config: see from-config.ts). */
export interface GenesysClientOptions {
  /** The region or gateway the API calls go to. */
  readonly target: ApiTarget;
  /** The OAuth client (client-credentials grant). */
  readonly clientId: string;
  /** Its secret; never logged. */
  readonly clientSecret: string;
  /** Calls allowed per budget window. */
  readonly requestsPerMinute: number;
  /** Most calls on the wire at once (the SDK's socket pool holds twice as many). */
  readonly maxConcurrentRequests: number;
  /** Longest wait for one answer before it counts as a network error. */
  readonly timeoutMs: number;
  /** Budget window (default {@link PACING_DEFAULTS}; benchmarks scale it with the sandbox's clock). */
  readonly windowMs?: number;
  /** How failed calls are retried (default {@link RETRY_DEFAULTS}). */
  readonly retry?: RetryPolicy;
  /** Renew the token this long before it expires (default {@link TOKEN_DEFAULTS}). */
  readonly renewBeforeMs?: number;
  /** Longest pause one 429 may cause (`genesys.retryAfterCapMs`; default: PAUSE_DEFAULTS.capMs in pauses.ts). */
  readonly retryAfterCapMs?: number;
}

/** A notification topic as `availabletopics?expand=requiresPermissions` lists it. */
export interface TopicPermissions {
  /** The topic template, e.g. `v2.routing.queues.{id}.conversations`. */
  readonly id: string;
  readonly requiresPermissions: string[];
}

/** A topic the subscribe call did not accept. */
export interface RejectedTopic {
  readonly topic: string;
  readonly reason?: string;
  readonly missingPermissions: string[];
}

/** One live conversation from the activity query. */
export interface ActivityEntity {
  readonly conversationId: string;
  readonly queueId: string;
  readonly mediaType?: string;
  readonly metric?: string;
  /** When the entity entered its current state (ISO 8601), as the activity query reports it. */
  readonly activityDate?: string;
}

export class GenesysClient {
  readonly tokens: TokenManager;
  private readonly caller: ApiCaller;
  private readonly sdk: SdkClient;
  private readonly notifications: platformClient.NotificationsApi;
  private readonly conversations: platformClient.ConversationsApi;
  private readonly architect: platformClient.ArchitectApi;
  private readonly routing: platformClient.RoutingApi;
  private readonly analytics: platformClient.AnalyticsApi;

  constructor(opts: GenesysClientOptions, deps: { logger: Logger; observer?: CallObserver; onTokenRenewed?: (generation: number) => void }) {
    this.sdk = createSdkClient(opts.target, { timeoutMs: opts.timeoutMs, maxSockets: opts.maxConcurrentRequests * 2 });
    this.tokens = new TokenManager(
      { ...TOKEN_DEFAULTS, clientId: opts.clientId, clientSecret: opts.clientSecret, ...(opts.renewBeforeMs !== undefined && { renewBeforeMs: opts.renewBeforeMs }) },
      { sdk: this.sdk, logger: deps.logger, ...(deps.onTokenRenewed && { onRenewed: deps.onTokenRenewed }) },
    );
    const callerOpts: CallerOptions = {
      requestsPerMinute: opts.requestsPerMinute,
      maxConcurrentRequests: opts.maxConcurrentRequests,
      windowMs: opts.windowMs ?? PACING_DEFAULTS.windowMs,
      retry: opts.retry ?? RETRY_DEFAULTS,
      ...(opts.retryAfterCapMs !== undefined && { pauses: { capMs: opts.retryAfterCapMs } }),
    };
    this.caller = new ApiCaller(callerOpts, { tokens: this.tokens, logger: deps.logger, ...(deps.observer && { observer: deps.observer }) });
    // The SDK is loaded through sdk.ts only (never imported here): see its note on HOME.
    const sdk = sdkModule();
    this.notifications = new sdk.NotificationsApi(this.sdk);
    this.conversations = new sdk.ConversationsApi(this.sdk);
    this.architect = new sdk.ArchitectApi(this.sdk);
    this.routing = new sdk.RoutingApi(this.sdk);
    this.analytics = new sdk.AnalyticsApi(this.sdk);
  }

  /** Logs in now (start-up fails fast on bad credentials). */
  async login(): Promise<void> {
    await this.tokens.login();
  }

  /** Calls waiting for the rate budget. */
  queued(): number {
    return this.caller.queued();
  }

  /** Every endpoint family with its remaining 429 pause (0: not paused). */
  pauses(): FamilyPause[] {
    return this.caller.pauses();
  }

  /** Endpoints refused with 403 since they last succeeded, with the permission they need. */
  deniedCalls(): DeniedCall[] {
    return this.caller.deniedCalls();
  }

  /** The notification topics this client may know of, with the permissions each requires. */
  async availableTopics(): Promise<TopicPermissions[]> {
    const { body } = await this.caller.call<Models.AvailableTopicEntityListing>('GET /api/v2/notifications/availabletopics', PRIORITY.control, () =>
      this.notifications.getNotificationsAvailabletopics({ expand: ['requiresPermissions'] }),
    );
    return (body.entities ?? []).flatMap((t) => (t.id ? [{ id: t.id, requiresPermissions: [...(t.requiresPermissions ?? [])] }] : []));
  }

  async createChannel(): Promise<{ id: string; connectUri: string; expires?: string }> {
    const { body } = await this.caller.call<Models.Channel>('POST /api/v2/notifications/channels', PRIORITY.control, () =>
      this.notifications.postNotificationsChannels(),
    );
    if (!body.id || !body.connectUri) throw new GenesysApiError('POST /api/v2/notifications/channels', 200, 'bad.response', undefined, undefined, 'channel without id or connectUri');
    return { id: body.id, connectUri: body.connectUri, ...(body.expires && { expires: body.expires }) };
  }

  /** Replaces the channel's topics (`ignoreErrors=true`) and lists the rejected ones. */
  async subscribe(channelId: string, topics: readonly string[]): Promise<{ rejected: RejectedTopic[] }> {
    const { body } = await this.caller.call<Models.ChannelTopicEntityListing>(
      'PUT /api/v2/notifications/channels/{channelId}/subscriptions',
      PRIORITY.control,
      () => this.notifications.putNotificationsChannelSubscriptions(channelId, topics.map((id) => ({ id })), { ignoreErrors: true }),
    );
    const rejected = (body.entities ?? [])
      .filter((t) => t.state !== undefined && t.state !== 'Permitted')
      .map((t) => ({ topic: t.id ?? '', ...(t.rejectionReason && { reason: t.rejectionReason }), missingPermissions: [...(t.missingPermissions ?? [])] }));
    return { rejected };
  }

  /** Removes every topic from the channel (`DELETE .../subscriptions`); Genesys has no call that deletes a channel. */
  async unsubscribeAll(channelId: string): Promise<void> {
    await this.caller.call('DELETE /api/v2/notifications/channels/{channelId}/subscriptions', PRIORITY.control, () =>
      this.notifications.deleteNotificationsChannelSubscriptions(channelId),
    );
  }

  /** HEAD on the channel: false when it is gone (404). */
  async channelExists(channelId: string): Promise<boolean> {
    try {
      await this.caller.call('HEAD /api/v2/notifications/channels/{channelId}', PRIORITY.control, () =>
        this.notifications.headNotificationsChannel(channelId),
      );
      return true;
    } catch (err) {
      if (err instanceof GenesysApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** Queues whose name equals `name` exactly (Genesys' filter is loose; compare here). */
  async findQueuesByName(name: string): Promise<{ id: string; name: string }[]> {
    const found: { id: string; name: string }[] = [];
    for (let pageNumber = 1; pageNumber <= 50; pageNumber++) {
      const { body } = await this.caller.call<Models.QueueEntityListing>('GET /api/v2/routing/queues', PRIORITY.control, () =>
        this.routing.getRoutingQueues({ name, pageSize: 100, pageNumber }),
      );
      for (const q of body.entities ?? []) if (q.id && q.name === name) found.push({ id: q.id, name: q.name });
      if (pageNumber >= (body.pageCount ?? 1)) break;
    }
    return found;
  }

  async getFlow(flowId: string): Promise<Models.Flow> {
    const { body } = await this.caller.call<Models.Flow>('GET /api/v2/flows/{flowId}', PRIORITY.control, () => this.architect.getFlow(flowId));
    return body;
  }

  /** Flows named exactly `name`, with their schemas. */
  async findFlowsByName(name: string): Promise<Models.Flow[]> {
    // The name filter is loose: the exact match may sit past the first page of near-misses.
    const found: Models.Flow[] = [];
    for (let pageNumber = 1; pageNumber <= 50; pageNumber++) {
      const { body } = await this.caller.call<Models.FlowEntityListing>('GET /api/v2/flows', PRIORITY.control, () =>
        this.architect.getFlows({ name, includeSchemas: true, pageSize: 100, pageNumber }),
      );
      for (const f of body.entities ?? []) if (f.name === name) found.push(f);
      if (pageNumber >= (body.pageCount ?? 1)) break;
    }
    return found;
  }

  async getFlowVersion(flowId: string, versionId: string): Promise<Models.FlowVersion> {
    const { body } = await this.caller.call<Models.FlowVersion>('GET /api/v2/flows/{flowId}/versions/{versionId}', PRIORITY.control, () =>
      this.architect.getFlowVersion(flowId, versionId),
    );
    return body;
  }

  /** The one write per conversation; answers Genesys' correlation id. */
  async patchParticipantAttributes(conversationId: string, participantId: string, attributes: Readonly<Record<string, string>>, priority: Priority = PRIORITY.write): Promise<{ correlationId?: string }> {
    const { headers } = await this.caller.call('PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes', priority, () =>
      this.conversations.patchConversationParticipantAttributes(conversationId, participantId, { attributes: { ...attributes } }),
      // A timed-out PATCH may have landed: the pipeline reads the conversation back before sending it again.
      { retryUnknownOutcome: false },
    );
    const correlationId = headers['inin-correlation-id'];
    return typeof correlationId === 'string' ? { correlationId } : {};
  }

  async getConversation(conversationId: string, priority: Priority = PRIORITY.backfill): Promise<Models.Conversation> {
    const { body } = await this.caller.call<Models.Conversation>('GET /api/v2/conversations/{conversationId}', priority, () =>
      this.conversations.getConversation(conversationId),
    );
    return body;
  }

  /** Live conversations per queue (genesys-api.md section 7); `truncated` when the answer was cut. */
  async activeConversations(queueIds: readonly string[]): Promise<{ entities: ActivityEntity[]; truncated: boolean }> {
    const query = {
      metrics: [{ metric: 'oInteracting', details: true }, { metric: 'oWaiting', details: true }],
      groupBy: ['queueId'],
      filter: { type: 'or', predicates: queueIds.map((value) => ({ type: 'dimension', dimension: 'queueId', operator: 'matches', value })) },
    } as unknown as Models.ConversationActivityQuery;
    const { body } = await this.caller.call<Models.ConversationActivityResponse>('POST /api/v2/analytics/conversations/activity/query', PRIORITY.backfill, () =>
      this.analytics.postAnalyticsConversationsActivityQuery(query),
    );
    const entities: ActivityEntity[] = [];
    let truncated = false;
    for (const result of body.results ?? []) {
      if (result.truncated) truncated = true;
      for (const e of result.entities ?? []) {
        if (e.conversationId && e.queueId) {
          entities.push({
            conversationId: e.conversationId,
            queueId: e.queueId,
            ...(e.mediaType && { mediaType: e.mediaType }),
            ...(e.metric && { metric: e.metric }),
            ...(typeof e.activityDate === 'string' && { activityDate: e.activityDate }),
          });
        }
      }
    }
    return { entities, truncated };
  }

  /** Stops renewing the token and rejects every waiting call at once (see ApiCaller.close). */
  async close(): Promise<void> {
    this.tokens.stop();
    await this.caller.close();
  }
}
