/**
 * Per-cluster worker tokens: what a Kafka Connect worker's ConfigProvider
 * presents to fetch its connectors' secrets. Derived from the master key and
 * the cluster id (HMAC), so nothing is stored and a token opens only its own
 * cluster's connectors.
 */
import { timingSafeEqual } from "node:crypto";
import type { SecretBox } from "./secret-box.js";

const PURPOSE = "worker-token";

export function workerToken(box: SecretBox, clusterId: string): string {
  return `vwt_${box.mac(PURPOSE, clusterId)}`;
}

export function verifyWorkerToken(box: SecretBox, clusterId: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(workerToken(box, clusterId));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The worker properties that install vaultwire's ConfigProvider for a cluster. */
export function workerProperties(options: { publicUrl: string; clusterId: string; token: string }): Record<string, string> {
  return {
    "config.providers": "vaultwire",
    "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
    "config.providers.vaultwire.param.url": options.publicUrl,
    "config.providers.vaultwire.param.cluster": options.clusterId,
    "config.providers.vaultwire.param.token": options.token,
  };
}
