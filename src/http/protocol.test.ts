import { describe, expect, it } from "vitest";
import { RouteMethods } from "./protocol.js";

describe("RouteMethods", () => {
  const routes = new RouteMethods();
  routes.add("/org/v2/environments", "GET");
  routes.add("/org/v2/environments", "POST");
  routes.add("/org/v2/environments/:id", ["GET", "PATCH", "DELETE"]);
  routes.add("/pim/v2/integrations::validate", "POST");
  routes.add("/connect/v1/environments/:environment_id/clusters/:kafka_cluster_id/connectors/:connector_name/config", ["GET", "PUT"]);
  routes.add("/org/*", "GET");

  it.each([
    ["/org/v2/environments", ["GET", "HEAD", "POST"]],
    ["/org/v2/environments/", ["GET", "HEAD", "POST"]],
    ["/org/v2/environments?page_size=2", ["GET", "HEAD", "POST"]],
    ["/org/v2/environments/env-abc", ["DELETE", "GET", "HEAD", "PATCH"]],
    ["/pim/v2/integrations:validate", ["POST"]],
    ["/connect/v1/environments/e/clusters/c/connectors/n/config", ["GET", "HEAD", "PUT"]],
    // Wildcards (the console's catch-alls) mean "not found", not "GET allowed".
    ["/org/v2/nothing/else", []],
    ["/pim/v2/integrationsXvalidate", []],
    [`/org/v2/environments/${"a".repeat(4097)}`, []],
  ])("%s → %j", (url, expected) => {
    expect(routes.allowed(url)).toEqual(expected);
  });
});
