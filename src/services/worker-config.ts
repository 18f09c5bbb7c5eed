/**
 * The Kafka Connect worker properties a worker of a vaultwire-managed cluster
 * needs beyond Connect's defaults: vaultwire's ConfigProvider, a rebalance
 * delay short enough that a dead worker's tasks run again within seconds, and
 * the cluster's bootstrap servers when vaultwire knows them. The text form
 * also says, as comments, what each worker must set itself.
 *
 * The worker credential is a line of its own, present only when one was
 * created for this answer: reading a cluster's worker config never reveals a
 * credential (see worker-credentials.ts).
 *
 * The rebalance delay is a Kafka Connect fact shared with runtime/ and the
 * local stack, so it lives in runtime/kafka-connect/rebalance-delay.ts.
 */
import { REBALANCE_DELAY_PROPERTY, SCHEDULED_REBALANCE_MAX_DELAY_MS } from "../runtime/kafka-connect/rebalance-delay.js";

export const TOKEN_PROPERTY = "config.providers.vaultwire.param.token";
export const URL_PROPERTY = "config.providers.vaultwire.param.url";
/**
 * The provider's multi-replica form of URL_PROPERTY: comma-separated base URLs
 * it fails over between (exactly one of the two). vaultwire knows only its own
 * public URL, not its peers', so the properties name that one and the text
 * says how to list several; the operator writes the list.
 */
export const URLS_PROPERTY = "config.providers.vaultwire.param.urls";

export function workerProperties(options: { publicUrl: string; clusterId: string; bootstrapServers?: string; token?: string }): Record<string, string> {
  const bootstrapServers = options.bootstrapServers?.trim() ?? "";
  return {
    ...(bootstrapServers === "" ? {} : { "bootstrap.servers": bootstrapServers }),
    [REBALANCE_DELAY_PROPERTY]: String(SCHEDULED_REBALANCE_MAX_DELAY_MS),
    "config.providers": "vaultwire",
    "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
    [URL_PROPERTY]: options.publicUrl,
    "config.providers.vaultwire.param.cluster": options.clusterId,
    ...(options.token === undefined ? {} : { [TOKEN_PROPERTY]: options.token }),
  };
}

/**
 * The properties as a worker.properties fragment, with comments: what the
 * worker sets itself (never invented here), why the rebalance delay, and,
 * without a credential, how to get one.
 */
export function workerPropertiesText(properties: Record<string, string>, clusterId: string): string {
  const line = (key: string): string[] => {
    const value = properties[key];
    return value === undefined ? [] : [`${key}=${value}`];
  };
  const shown = new Set(["bootstrap.servers", REBALANCE_DELAY_PROPERTY]);
  const lines = [
    `# Kafka Connect worker properties (distributed mode) for Kafka cluster ${clusterId}, from vaultwire.`,
    `# Every worker of the Connect cluster needs them.`,
    `#`,
    `# Set by each worker itself (vaultwire does not choose these):`,
    properties["bootstrap.servers"] === undefined
      ? `#   bootstrap.servers=<the Kafka cluster's bootstrap servers>`
      : `#   bootstrap.servers: below, the cluster's as registered in vaultwire (workers may need another address)`,
    `#   group.id=<one id shared by all workers of this Connect cluster, and by no other>`,
    `#   config.storage.topic, offset.storage.topic, status.storage.topic=<three topics of this Connect cluster alone>`,
    `#   plugin.path=<the folders of the connector plugins, and the folder holding vaultwire-config-provider-<version>.jar>`,
    `#   key.converter, value.converter, listeners, and the security settings your Kafka cluster needs`,
    `#   connector.client.config.override.policy: keep the default (All); connectors may set producer.override.*`,
    ...line("bootstrap.servers"),
    `#`,
    `# A connector or task of a worker that left the group runs again on another worker after this`,
    `# delay (plus session.timeout.ms, 10 s, to notice). Connect's default is 300000 (5 minutes).`,
    `# Shorter moves tasks around whenever a worker restarts more slowly than the delay.`,
    ...line(REBALANCE_DELAY_PROPERTY),
    `#`,
    `# vaultwire's ConfigProvider: resolves the \${vaultwire:…} placeholders of connector configs. After a`,
    `# secret changes, vaultwire restarts the connector and its tasks itself (config.action.reload is not needed).`,
    ...Object.entries(properties).filter(([key]) => !shown.has(key)).map(([key, value]) => `${key}=${value}`),
    `# Several vaultwire replicas: set ${URLS_PROPERTY}=<url>,<url>,… instead of ${URL_PROPERTY} (the provider fails over between them).`,
  ];
  if (properties[TOKEN_PROPERTY] === undefined) {
    lines.push(
      `# The worker credential is not shown here. Create one (organization admins only) with`,
      `#   vaultwire kafka cluster worker-config --cluster ${clusterId} --create-credential`,
      `# and set ${TOKEN_PROPERTY}=<it>, or ${TOKEN_PROPERTY}.file=<a file holding it>.`,
    );
  }
  return `${lines.join("\n")}\n`;
}
