/**
 * The REST side of notifications (docs/architecture.md, "Notification channels"): create and list channels, HEAD a
 * channel, and GET/PUT/POST/DELETE its subscriptions. Another client's channel is a 404, as if it
 * did not exist.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type { TokenStore } from '../http/auth.js';
import { ApiFailure, type Reply, type RequestContext, type Router } from '../http/router.js';
import { expiryAfterSubscribe } from './policy.js';
import type { ChannelRegistry } from './registry.js';
import { parseTopicList, planSubscribe } from './topics.js';
import type { Channel, NotificationHubOptions } from './types.js';

/** What the routes need from the hub. */
export interface RouteDeps {
  readonly options: Pick<NotificationHubOptions, 'maxTopicsPerChannel' | 'channelLifetimeMs' | 'resubscribeExtendsChannel'>;
  readonly registry: ChannelRegistry;
  readonly auth: Pick<TokenStore, 'client'>;
  readonly connectUri: (channelId: string) => string;
  readonly now: () => number;
}

const CHANNELS = '/api/v2/notifications/channels';
const CHANNEL = `${CHANNELS}/{channelId}`;
const SUBSCRIPTIONS = `${CHANNEL}/subscriptions`;

/** Adds the notification endpoints to the API router. */
export function addNotificationRoutes(router: Router, deps: RouteDeps): void {
  const toModel = (channel: Channel): Models.Channel => ({
    id: channel.id,
    connectUri: deps.connectUri(channel.id),
    expires: new Date(channel.expiresAt).toISOString(),
  });

  router.add('POST', CHANNELS, (ctx) => {
    const caller = callerOf(ctx);
    return { status: 200, body: toModel(deps.registry.create(caller.clientId, caller.token)) };
  });

  // `token` (the default) lists the channels this token created; `oauthclient` lists every channel
  // of the client, but (as the SDK documents) those of other tokens without their id or URI.
  router.add('GET', CHANNELS, (ctx) => {
    const caller = callerOf(ctx);
    const scope = ctx.query.get('includechannels') ?? 'token';
    if (scope !== 'token' && scope !== 'oauthclient') {
      throw new ApiFailure(400, 'bad.request', 'includechannels must be token or oauthclient');
    }
    const entities: Models.Channel[] = [];
    for (const channel of deps.registry.ofClient(caller.clientId)) {
      if (channel.token === caller.token) entities.push(toModel(channel));
      else if (scope === 'oauthclient') entities.push({ expires: new Date(channel.expiresAt).toISOString() });
    }
    const listing: Models.ChannelEntityListing = { entities };
    return { status: 200, body: listing };
  });

  router.add('HEAD', CHANNEL, (ctx) => {
    ownedChannel(ctx, deps);
    return { status: 200 };
  });

  router.add('GET', SUBSCRIPTIONS, (ctx) => topicListing(ownedChannel(ctx, deps)));

  router.add('PUT', SUBSCRIPTIONS, (ctx) => subscribe(ctx, deps, 'replace'));
  router.add('POST', SUBSCRIPTIONS, (ctx) => subscribe(ctx, deps, 'add'));

  // Removing topics is not subscribing: it never moves `expires`.
  router.add('DELETE', SUBSCRIPTIONS, (ctx) => {
    deps.registry.setTopics(ownedChannel(ctx, deps), []);
    return { status: 204 };
  });
}

function subscribe(ctx: RequestContext, deps: RouteDeps, mode: 'replace' | 'add'): Reply {
  const channel = ownedChannel(ctx, deps);
  const requested = parseTopicList(ctx.body);
  if (!requested) throw new ApiFailure(400, 'bad.request', 'The body must be an array of {"id": "<topic>"} objects');
  const outcome = planSubscribe({
    mode,
    current: channel.topics,
    requested,
    deniedPrefixes: deps.auth.client(channel.clientId)?.deniedTopicPrefixes ?? [],
    maxTopics: deps.options.maxTopicsPerChannel,
    ignoreErrors: ctx.query.get('ignoreErrors') === 'true',
  });
  if (!outcome.ok) throw new ApiFailure(outcome.status, outcome.code, outcome.message);
  deps.registry.setTopics(channel, outcome.topics);
  const { channelLifetimeMs, resubscribeExtendsChannel } = deps.options;
  const expiresAt = expiryAfterSubscribe(channel.expiresAt, deps.now(), channelLifetimeMs, resubscribeExtendsChannel);
  if (expiresAt !== channel.expiresAt) deps.registry.setExpiry(channel, expiresAt);
  const listing: Models.ChannelTopicEntityListing = { entities: [...outcome.entities] };
  return { status: 200, body: listing };
}

function topicListing(channel: Channel): Reply {
  const listing: Models.ChannelTopicEntityListing = { entities: [...channel.topics].map((id) => ({ id })) };
  return { status: 200, body: listing };
}

function callerOf(ctx: RequestContext): { clientId: string; token: string } {
  if (!ctx.auth) throw new ApiFailure(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
  return ctx.auth;
}

function ownedChannel(ctx: RequestContext, deps: RouteDeps): Channel {
  const caller = callerOf(ctx);
  const channel = deps.registry.owned(ctx.params.channelId ?? '', caller.clientId);
  if (!channel) throw new ApiFailure(404, 'not.found', 'The channel does not exist or has expired');
  return channel;
}
