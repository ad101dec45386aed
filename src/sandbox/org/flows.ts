/**
 * Architect flows with versions and input schemas. Publishing a version emits the
 * `v2.flows.{flowId}` frames a real publish emits: the operation STARTED, then SUCCESS with the
 * new `publishedVersion`.
 */
import { randomUUID } from 'node:crypto';
import type { Models } from 'purecloud-platform-client-v2';

export interface SandboxFlowVersion {
  readonly id: string;
  readonly inputSchema?: Models.JsonSchemaDocument;
  readonly outputSchema?: Models.JsonSchemaDocument;
  readonly datePublished: string;
}

export interface SandboxFlow {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  versions: SandboxFlowVersion[];
  publishedVersionId?: string;
}

/** The flow input schema the sandbox's demo flow starts with. */
export const DEMO_INPUT_SCHEMA: Models.JsonSchemaDocument = {
  type: 'object',
  properties: {
    'Flow.accountId': { type: 'string', maxLength: 32 },
    'Flow.tier': { type: 'string', enum: ['gold', 'silver', 'bronze'] },
    'Flow.balance': { type: 'number' },
    'Flow.vip': { type: 'boolean' },
    'Flow.customerSince': { type: 'string', format: 'date' },
    'Flow.openTickets': { type: 'integer' },
    'Flow.lastContactAt': { type: 'string', format: 'date-time' },
    'Flow.language': { type: 'string', maxLength: 2 },
  },
  required: ['Flow.accountId'],
};

/**
 * The flows that answer the sandbox's traffic before a queue, with the type names the Flow API
 * answers (lower case: `inboundcall`, `inboundchat`, `inboundshortmessage`, `inboundemail`; the
 * enrichment flow is a `workflow`). They carry no input schema.
 */
export const ENTRY_FLOWS = [
  { name: 'Main Menu', type: 'inboundcall' },
  { name: 'Web Chat Flow', type: 'inboundchat' },
  { name: 'Inbound Message Flow', type: 'inboundshortmessage' },
  { name: 'Inbound Email Flow', type: 'inboundemail' },
] as const;

/** Holds the org's flows. */
export class FlowRegistry {
  private readonly flows = new Map<string, SandboxFlow>();

  constructor(private readonly publish: (topic: string, body: Models.ArchitectFlowNotificationFlowNotification) => void) {}

  /** Creates a flow; with a schema, its first version is published at once (no frames: it predates any listener). */
  create(name: string, type: string, inputSchema?: Models.JsonSchemaDocument, id: string = randomUUID()): SandboxFlow {
    const flow: SandboxFlow = { id, name, type, versions: [] };
    this.flows.set(id, flow);
    if (inputSchema) {
      const version = this.addVersion(flow, inputSchema);
      flow.publishedVersionId = version.id;
    }
    return flow;
  }

  get(id: string): SandboxFlow | undefined {
    return this.flows.get(id);
  }

  all(): SandboxFlow[] {
    return [...this.flows.values()];
  }

  /** Publishes a new version with this schema and emits the frames of a publish. */
  publishVersion(flowId: string, inputSchema?: Models.JsonSchemaDocument): SandboxFlowVersion {
    const flow = this.flows.get(flowId);
    if (!flow) throw new Error(`no flow ${flowId}`);
    const operationId = randomUUID();
    const topic = `v2.flows.${flowId}`;
    const previous = flow.publishedVersionId;
    this.publish(topic, this.notification(flow, previous, { id: operationId, actionName: 'PUBLISH', actionStatus: 'STARTED', complete: false }));
    const version = this.addVersion(flow, inputSchema);
    flow.publishedVersionId = version.id;
    this.publish(topic, this.notification(flow, version.id, { id: operationId, actionName: 'PUBLISH', actionStatus: 'SUCCESS', complete: true }));
    return version;
  }

  /** The `GET /api/v2/flows/{flowId}` answer. */
  toFlow(flow: SandboxFlow, includeSchemas: boolean): Models.Flow {
    const published = flow.versions.find((v) => v.id === flow.publishedVersionId);
    return {
      id: flow.id,
      name: flow.name,
      type: flow.type,
      active: true,
      system: false,
      deleted: false,
      ...(published && { publishedVersion: this.toVersion(published, false) }),
      ...(includeSchemas && published?.inputSchema && { inputSchema: published.inputSchema }),
      ...(includeSchemas && published?.outputSchema && { outputSchema: published.outputSchema }),
      selfUri: `/api/v2/flows/${flow.id}`,
    };
  }

  /** The `GET /api/v2/flows/{flowId}/versions/{versionId}` answer. */
  toVersion(v: SandboxFlowVersion, withSchemas = true): Models.FlowVersion {
    return {
      id: v.id,
      name: v.id,
      commitVersion: v.id,
      datePublished: v.datePublished,
      ...(withSchemas && v.inputSchema && { inputSchema: v.inputSchema }),
      ...(withSchemas && v.outputSchema && { outputSchema: v.outputSchema }),
    };
  }

  private addVersion(flow: SandboxFlow, inputSchema?: Models.JsonSchemaDocument): SandboxFlowVersion {
    const version: SandboxFlowVersion = {
      id: `${flow.versions.length + 1}.0`,
      datePublished: new Date().toISOString(),
      ...(inputSchema && { inputSchema }),
      outputSchema: { type: 'object', properties: {} },
    };
    flow.versions.push(version);
    return version;
  }

  private notification(
    flow: SandboxFlow,
    publishedVersionId: string | undefined,
    op: Models.ArchitectFlowNotificationArchitectOperation,
  ): Models.ArchitectFlowNotificationFlowNotification {
    return {
      id: flow.id,
      name: flow.name,
      deleted: false,
      ...(publishedVersionId && { publishedVersion: { id: publishedVersionId }, checkedInVersion: { id: publishedVersionId } }),
      currentOperation: { ...op, client: { id: 'sandbox-admin', name: 'Sandbox admin' } },
    };
  }
}
