/**
 * The Kafka Connect worker properties that install vaultwire's ConfigProvider
 * for a cluster. The worker credential is a line of its own, present only
 * when one was created for this answer: reading a cluster's worker config
 * never reveals a credential (see worker-credentials.ts).
 */

export const TOKEN_PROPERTY = "config.providers.vaultwire.param.token";
export const URL_PROPERTY = "config.providers.vaultwire.param.url";
/**
 * The provider's multi-replica form of URL_PROPERTY: comma-separated base URLs
 * it fails over between (exactly one of the two). vaultwire knows only its own
 * public URL, not its peers', so the properties name that one and the text
 * says how to list several; the operator writes the list.
 */
export const URLS_PROPERTY = "config.providers.vaultwire.param.urls";

export function workerProperties(options: { publicUrl: string; clusterId: string; token?: string }): Record<string, string> {
  return {
    "config.providers": "vaultwire",
    "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
    [URL_PROPERTY]: options.publicUrl,
    "config.providers.vaultwire.param.cluster": options.clusterId,
    ...(options.token === undefined ? {} : { [TOKEN_PROPERTY]: options.token }),
  };
}

/** The properties as a worker.properties fragment; without a credential, a comment says how to get one. */
export function workerPropertiesText(properties: Record<string, string>, clusterId: string): string {
  const lines = Object.entries(properties).map(([k, v]) => `${k}=${v}`);
  lines.push(`# Several vaultwire replicas: set ${URLS_PROPERTY}=<url>,<url>,… instead of ${URL_PROPERTY} (the provider fails over between them).`);
  if (properties[TOKEN_PROPERTY] === undefined) {
    lines.push(
      `# The worker credential is not shown here. Create one (organization admins only) with`,
      `#   vaultwire kafka cluster worker-config --cluster ${clusterId} --create-credential`,
      `# and set ${TOKEN_PROPERTY}=<it>, or ${TOKEN_PROPERTY}.file=<a file holding it>.`,
    );
  }
  return `${lines.join("\n")}\n`;
}
