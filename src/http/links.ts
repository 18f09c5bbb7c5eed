/** Absolute links and resource names in Confluent's style. */
import { CRN_AUTHORITY } from "../domain/identity.js";

export interface LinkContext {
  /** e.g. http://127.0.0.1:8080 (no trailing slash). */
  readonly publicUrl: string;
  /** Stable id of this vaultwire installation, used in CRNs. */
  readonly organizationId: string;
}

/** A Confluent CRN (`crn://confluent.cloud/organization=…/…`): the form role bindings' crn_pattern takes (decision 45). */
export function crn(links: LinkContext, ...parts: readonly [string, string][]): string {
  return `${CRN_AUTHORITY}/organization=${links.organizationId}${parts.map(([k, v]) => `/${k}=${v}`).join("")}`;
}

/**
 * A Kafka cluster's resource name as Confluent writes it: the cloud cluster,
 * then the Kafka cluster inside it (`…/cloud-cluster=lkc-1/kafka=lkc-1`).
 * Confluent's clients derive the RBAC CRN from it by cutting at `/kafka=`
 * (`kafkaClusterRbacCrn`), and refuse a resource name without it.
 */
export function kafkaClusterCrn(links: LinkContext, environmentId: string, clusterId: string): string {
  return crn(links, ["environment", environmentId], ["cloud-cluster", clusterId], ["kafka", clusterId]);
}

/** The CRN role bindings on a Kafka cluster name: its resource name without the `/kafka=` part. */
export function kafkaClusterRbacCrn(links: LinkContext, environmentId: string, clusterId: string): string {
  return crn(links, ["environment", environmentId], ["cloud-cluster", clusterId]);
}

export function selfLink(links: LinkContext, path: string): string {
  return `${links.publicUrl}${path}`;
}

/** `first` and `next` of a list, keeping the request's filters. */
export function listMetadata(links: LinkContext, path: string, query: Readonly<Record<string, string | undefined>>, nextPageToken: string | null): { first: string; next?: string } {
  const base = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && key !== "page_token") base.set(key, value);
  const first = `${links.publicUrl}${path}${base.size > 0 ? `?${base.toString()}` : ""}`;
  if (nextPageToken === null) return { first };
  base.set("page_token", nextPageToken);
  return { first, next: `${links.publicUrl}${path}?${base.toString()}` };
}

/** page_size: a whole number 1–100 in decimal digits (default 10 when absent); anything else, even empty, is a 400 naming the parameter. */
export function pageSizeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : Number.NaN;
  return n >= 1 && n <= 100 ? n : Number.NaN;
}
