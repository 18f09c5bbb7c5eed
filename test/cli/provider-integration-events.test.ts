// `vaultwire provider-integration events create|list|delete` (alias `pi events`)
// against a real server: the webhook URL and token shown once with the az
// command to run, listed without the token, deleted after checking the ids.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, expectGolden, objectId, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let integrationId: string;
let awsId: string;
beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  const environmentId = objectId(await f.ok(["environment", "create", "events", "-o", "json"]));
  await f.ok(["environment", "use", environmentId]);
  integrationId = objectId(await f.ok(["pi", "create", "sql-vault", "--cloud", "azure", "-o", "json"]));
  awsId = objectId(await f.ok(["pi", "create", "pg-secrets", "--cloud", "aws", "--customer-role-arn", "arn:aws:iam::123456789012:role/vaultwire-reader", "-o", "json"]));
});
afterAll(async () => { await f.close(); });

describe("vaultwire pi events", () => {
  let token = "";
  let id = "";

  it("create prints the endpoint with its token once, and the az command", async () => {
    const out = await f.ok(["pi", "events", "create", "--integration", integrationId, "--description", "sql-vault"]);
    id = /ID\s+(evs-[a-z0-9]+)/.exec(out)?.[1] ?? "";
    token = /\?token=([A-Za-z0-9_-]{43})/.exec(out)?.[1] ?? "";
    expect(id).not.toBe("");
    expect(token).not.toBe("");
    expect(out).toContain("its token is shown only once");
    expect(out).toContain(`Endpoint      ${f.server.url}/events/v1/key-vault/${id}?token=${token}`);
    expect(out).toContain("az eventgrid event-subscription create \\\n  --name vaultwire-");
    expect(out).toContain("--endpoint-type webhook");
    expect(out).toContain("--event-delivery-schema eventgridschema");
    const json = JSON.parse(await f.ok(["provider-integration", "events", "create", "--integration", integrationId, "--schema", "cloudevents", "-o", "json"])) as Record<string, string>;
    expect(json.delivery_schema).toBe("CloudEventSchemaV1_0");
    expect(json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json.az_command).toContain("--event-delivery-schema cloudeventschemav1_0");
  });

  it("list shows the webhooks without their tokens", async () => {
    const out = await f.ok(["pi", "events", "list", "--integration", integrationId]);
    expect(out).toContain(id);
    expect(out).not.toContain(token);
    const json = await f.ok(["pi", "events", "list", "--integration", integrationId, "-o", "json"]);
    expect(json).not.toContain(token);
    expect((JSON.parse(json) as unknown[]).length).toBe(2);
    await expectGolden("provider-integration-events-list", await f.ok(["pi", "events", "list", "--integration", integrationId]));
  });

  it("refuses a missing --integration (usage), a bad --schema, an unknown id and an AWS integration", async () => {
    expectCleanError(await f.cli(["pi", "events", "list"]), 2, "required flag \"integration\" not set");
    expectCleanError(await f.cli(["pi", "events", "create", "--integration", integrationId, "--schema", "custom"]), 2, "invalid value \"custom\" for flag \"--schema\"");
    expectCleanError(await f.cli(["pi", "events", "delete", "evs-missing0", "--integration", integrationId, "--force"]), 1, "evs-missing0");
    expectCleanError(await f.cli(["pi", "events", "create", "--integration", awsId]), 1, "AWS Secrets Manager");
    expectCleanError(await f.cli(["pi", "events", "frobnicate"]), 2, "unknown command \"frobnicate\"");
  });

  it("delete removes the webhook; its deliveries are refused from then on", async () => {
    expect(await f.ok(["pi", "events", "delete", id, "--integration", integrationId, "--force"])).toBe(`Deleted event subscription "${id}".\n`);
    const response = await fetch(`${f.server.url}/events/v1/key-vault/${id}?token=${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
    expect(response.status).toBe(404);
    expect(await f.ok(["pi", "events", "list", "--integration", integrationId])).not.toContain(id);
    expect(f.server.logs()).not.toContain(token);
  });
});
