import { describe, expect, it } from "vitest";
import { kafkaClusterCrn, kafkaClusterRbacCrn } from "./links.js";

const links = { publicUrl: "http://127.0.0.1:8080", organizationId: "0f1e2d3c-0000-4000-8000-000000000001" };

describe("Kafka cluster CRNs", () => {
  it("end in /cloud-cluster=<id>/kafka=<id>, as Confluent's clients expect", () => {
    expect(kafkaClusterCrn(links, "env-a1", "lkc-b2")).toBe("crn://confluent.cloud/organization=0f1e2d3c-0000-4000-8000-000000000001/environment=env-a1/cloud-cluster=lkc-b2/kafka=lkc-b2");
  });

  it("give the RBAC CRN when cut at the last /kafka=, as the Terraform provider derives it", () => {
    const name = kafkaClusterCrn(links, "env-a1", "lkc-b2");
    const cut = name.lastIndexOf("/kafka=");
    expect(cut).toBeGreaterThan(0);
    expect(name.slice(0, cut)).toBe(kafkaClusterRbacCrn(links, "env-a1", "lkc-b2"));
    expect(kafkaClusterRbacCrn(links, "env-a1", "lkc-b2")).toMatch(/\/environment=env-a1\/cloud-cluster=lkc-b2$/);
  });
});
