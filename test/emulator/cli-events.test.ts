// `vaultwire dev azure events subscribe|list|faults|deliveries|check-expiry|unsubscribe`
// against a real vaultwire server: the endpoint `vaultwire pi events create`
// printed passes the emulator's handshake with vaultwire's own webhook, a
// wrong token fails it with a clear message (exit 1), usage errors exit 2,
// and the webhook's token is in no output of the dev azure commands.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, expectCleanError, objectId, startCliFixture, type CliFixture } from "../cli/harness.js";

let f: CliFixture;
let endpoint = "";
let token = "";
let webhookUrl = "";
const outputs: string[] = [];

/** The dev azure command, pointed at the fixture's emulator; its output kept for the token scan. */
async function devAzure(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await f.cli(["dev", "azure", ...args, "--url", f.azure.emulator.authorityHost, "--ca", join(f.azure.stateDir, "ca.pem")]);
  outputs.push(result.out, result.err);
  return result;
}

async function ok(args: readonly string[]): Promise<string> {
  const result = await devAzure(args);
  expect(result, args.join(" ")).toMatchObject({ code: 0, err: "" });
  return result.out;
}

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  const environmentId = objectId(await f.ok(["environment", "create", "events", "-o", "json"]));
  await f.ok(["environment", "use", environmentId]);
  const integrationId = objectId(await f.ok(["pi", "create", "sql-vault", "--cloud", "azure", "-o", "json"]));
  const created = JSON.parse(await f.ok(["pi", "events", "create", "--integration", integrationId, "-o", "json"])) as { token: string; endpoint_url: string; webhook_url: string };
  ({ token, endpoint_url: endpoint, webhook_url: webhookUrl } = created);
}, 60_000);

afterAll(async () => {
  await f.close();
  expect(token).not.toBe("");
  expect(outputs.join("\n")).not.toContain(token);
});

describe("vaultwire dev azure events", () => {
  let id = "";

  it("subscribe runs the handshake with vaultwire's webhook and prints the subscription without the token", async () => {
    const out = await ok(["events", "subscribe", "--vault", "sql-vault", "--endpoint", endpoint]);
    id = /event subscription ([0-9a-f-]{36})/.exec(out)?.[1] ?? "";
    expect(out).toBe(`Subscribed ${webhookUrl} to the secret events of vault "sql-vault": event subscription ${id} (EventGridSchema; the validation handshake succeeded).\n`);
    const json = JSON.parse(await ok(["events", "subscribe", "--vault", "locked-vault", "--endpoint", endpoint, "--event-type", "SecretNewVersionCreated", "-o", "json"])) as { subscriptionId: string; includedEventTypes: string[] };
    expect(json.includedEventTypes).toEqual(["Microsoft.KeyVault.SecretNewVersionCreated"]);
    expect((await ok(["events", "unsubscribe", json.subscriptionId])).trim()).toBe(`Deleted event subscription "${json.subscriptionId}".`);
  });

  it("a wrong token fails the handshake: exit 1, the reason, nothing created", async () => {
    const wrong = await devAzure(["events", "subscribe", "--vault", "sql-vault", "--endpoint", `${webhookUrl}?token=${"x".repeat(43)}`]);
    expect(wrong).toMatchObject({ code: 1, err: `Error: the attempt to validate the provided endpoint ${webhookUrl} failed: the validation event was answered 401\n` });
    const cloud = await devAzure(["events", "subscribe", "--vault", "sql-vault", "--endpoint", `${webhookUrl}?token=${"x".repeat(43)}`, "--schema", "cloudevents"]);
    expect(cloud.code).toBe(1);
    expect(cloud.err).toMatch(/^Error: the attempt to validate the provided endpoint .* failed: OPTIONS answered 401\n$/);
    const closed = `http://127.0.0.1:${await closedPort()}/hook`;
    const unreachable = await devAzure(["events", "subscribe", "--vault", "sql-vault", "--endpoint", closed]);
    expect(unreachable).toMatchObject({ code: 1, err: `Error: the attempt to validate the provided endpoint ${closed} failed: unreachable (ECONNREFUSED)\n` });
    expect((await ok(["events", "list", "-o", "json"]))).toBe(`${JSON.stringify([{ subscriptionId: id, vault: "sql-vault", endpointBaseUrl: webhookUrl, schema: "EventGridSchema", includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] }], null, 2)}\n`);
  });

  it("list prints one line per subscription, the id in full", async () => {
    expect(await ok(["events", "list"])).toBe(`${id}  vault sql-vault  EventGridSchema  ${webhookUrl}  SecretNewVersionCreated,SecretNearExpiry,SecretExpired\n`);
    expect(await ok(["events", "list", "--vault", "locked-vault"])).toBe("None found.\n");
    expect(await devAzure(["events", "list", "--vault", "nope"])).toMatchObject({ code: 1, err: "Error: vault \"nope\" does not exist\n" });
  });

  it("deliveries show what vaultwire answered; faults drop the next event; check-expiry reports what was due", async () => {
    const version = f.azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: "cdc_user", password: "rotated" })).version;
    await f.azure.emulator.eventsSettled();
    // No connector of the integration uses the vault, so vaultwire refuses the delivery (and Event Grid does not retry a 403).
    const lines = (await ok(["events", "deliveries", "--subscription", id])).trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  ${id}  vault sql-vault  SecretNewVersionCreated  sqlserver-db-secret/${version}  attempt 1  HTTP 403$`));

    expect((await ok(["events", "faults", id, "--drop-next", "1"])).trim()).toBe(`Set the delivery faults of event subscription "${id}": drop next 1, delay 0 ms, duplicate 0, hold next 0.`);
    const dropped = f.azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", "{}").version;
    await f.azure.emulator.eventsSettled();
    const rows = JSON.parse(await ok(["events", "deliveries", "--vault", "sql-vault", "-o", "json"])) as { version: string; attempt: number; outcome: unknown }[];
    expect(rows.at(-1)).toMatchObject({ version: dropped, attempt: 0, outcome: "dropped" });
    expect((await ok(["events", "deliveries", "--vault", "sql-vault"])).trimEnd().split("\n").at(-1)).toMatch(/ {2}not sent {2}dropped \(fault\)$/);
    expect((await ok(["events", "faults", id, "--clear"])).trim()).toBe(`Removed the delivery faults of event subscription "${id}" (events held back are sent now).`);
    expect(await ok(["events", "deliveries", "--vault", "locked-vault"])).toBe("None found.\n");

    expect(await ok(["events", "check-expiry"])).toBe("No expiry events are due (each is sent once per secret version).\n");
    expect(JSON.parse(await ok(["events", "check-expiry", "-o", "json"]))).toEqual({ eventsDue: 0 });
  });

  it("refuses bad usage with exit 2 naming the flag, and unknown ids with exit 1 listing those that exist", async () => {
    expectCleanError(await devAzure(["events", "subscribe", "--endpoint", endpoint]), 2, "required flag \"vault\" not set");
    expectCleanError(await devAzure(["events", "subscribe", "--vault", "sql-vault"]), 2, "required flag \"endpoint\" not set");
    expectCleanError(await devAzure(["events", "subscribe", "--vault", "sql-vault", "--endpoint", "not a url"]), 2, "invalid value for flag \"--endpoint\": expected an http:// or https:// URL");
    expectCleanError(await devAzure(["events", "subscribe", "--vault", "sql-vault", "--endpoint", endpoint, "--schema", "json"]), 2, "invalid value \"json\" for flag \"--schema\": expected EventGridSchema or CloudEventSchemaV1_0");
    expectCleanError(await devAzure(["events", "subscribe", "--vault", "nope", "--endpoint", endpoint]), 1, "vault \"nope\" does not exist");
    expectCleanError(await devAzure(["events", "faults", id]), 2, "give at least one of --drop-next, --delay-ms, --duplicate and --hold-next, or --clear");
    expectCleanError(await devAzure(["events", "faults", id, "--clear", "--duplicate", "1"]), 2, "--clear excludes --duplicate");
    expectCleanError(await devAzure(["events", "faults", id, "--delay-ms", "soon"]), 2, "invalid value \"soon\" for flag \"--delay-ms\": expected a whole number");
    expectCleanError(await devAzure(["events", "faults", id, "--delay-ms", "3600001"]), 1, "delayMs must be a whole number from 0 to 3600000");
    expectCleanError(await devAzure(["events", "faults", "--drop-next", "1"]), 2, "missing argument");
    const unknown = await devAzure(["events", "unsubscribe", "nope"]);
    expectCleanError(unknown, 1, "event subscription \"nope\" does not exist");
    expect(unknown.err).toContain(`Event subscriptions: ${id} (vault sql-vault).`);
    expectCleanError(await devAzure(["events", "faults", "nope", "--drop-next", "1"]), 1, "event subscription \"nope\" does not exist");
    expectCleanError(await devAzure(["events", "unsubscribe", id, "extra"]), 2, "unexpected argument \"extra\"");
    expectCleanError(await devAzure(["events", "subscribed"]), 2, "unknown command \"events subscribed\"");
    expect((await devAzure(["events", "subscribe", "--help"])).out).toContain("SubscriptionValidationEvent");
  });

  it("unsubscribe deletes it; then there are none", async () => {
    expect(await ok(["events", "unsubscribe", id.toUpperCase()])).toBe(`Deleted event subscription "${id}".\n`);
    expect(await ok(["events", "list"])).toBe("None found.\n");
    const none = await devAzure(["events", "unsubscribe", id]);
    expectCleanError(none, 1, `event subscription "${id}" does not exist`);
    expect(none.err).toContain("There are none: create one with \"vaultwire dev azure events subscribe\".");
  });
});
