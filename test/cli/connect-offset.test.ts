// `vaultwire connect offset describe|update|delete` and `offset status describe`
// against a real server: the confluent CLI's command shapes, what a connector
// with no Connect workers answers, a request's status (golden), and the failures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, expectGolden, objectId, specConnector, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let connector: string;

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  const env = objectId(await f.ok(["environment", "create", "offsets", "-o", "json"]));
  await f.ok(["environment", "use", env]);
  const cluster = objectId(await f.ok(["kafka", "cluster", "create", "offsets-cluster", "--cloud", "azure", "--region", "westus3", "--type", "dedicated", "--bootstrap-servers", "localhost:9092", "-o", "json"]));
  await f.ok(["kafka", "cluster", "use", cluster]);
  const integration = objectId(await f.ok(["provider-integration", "create", "sql-vault", "--cloud", "azure", "-o", "json"]));
  await f.ok(["pi", "update", integration, "--azure-tenant-id", f.azure.customerTenant]);
  const { config } = specConnector(f.azure.vaultUri, integration, "orders");
  await f.writeFile("orders.json", JSON.stringify({ name: "orders", config }));
  connector = (await f.ok(["connect", "cluster", "create", "--config-file", "orders.json"])).trim().split(" ")[3] ?? "";
});
afterAll(async () => { await f.close(); });

describe("vaultwire connect offset", () => {
  it("lists its commands, and the status group's", async () => {
    const help = await f.cli(["connect", "offset"]);
    expect(help.code).toBe(2);
    expect(help.out).toContain("  delete      Reset a connector's offsets.");
    expect(help.out).toContain("  update      Alter a connector's offsets from a file.");
    expect((await f.ok(["connect", "offset", "status", "--help"]))).toContain("  describe    Describe the status of a connector's last offsets request.");
    expect(await f.ok(["--help"])).toContain("  connect offset         Read, alter and reset connector offsets.");
  });

  it("describe: None found. before the connector runs on Kafka Connect; -o json gives Confluent's body", async () => {
    expect(await f.ok(["connect", "offset", "describe", connector])).toBe("None found.\n");
    const json = JSON.parse(await f.ok(["connect", "offset", "describe", "orders", "-o", "json"])) as { id: string; name: string; offsets: unknown[] };
    expect(json).toMatchObject({ id: connector, name: "orders", offsets: [] });
  });

  it("status describe shows the request, its phase and the offsets before it (golden)", async () => {
    const store = f.server.running.store;
    const offsets = [{ partition: { server: "orders" }, offset: { lsn: 1200, txId: 7 } }];
    expect(await store.offsetRequests.start({ connectorId: connector, type: "PATCH", offsets, requestedAt: "2024-02-20T15:14:19.000Z", phase: "PENDING", message: null, previousOffsets: null, appliedAt: null }, "2024-02-20T15:00:00.000Z")).toBe(true);
    await store.offsetRequests.finish(connector, "2024-02-20T15:14:19.000Z", { phase: "APPLIED", message: "The offsets for this connector have been altered successfully", previousOffsets: [{ partition: { server: "orders" }, offset: { lsn: 900, txId: 5 } }], appliedAt: "2024-02-20T15:14:20.000Z" });
    await expectGolden("connect-offset-status-describe", await f.ok(["connect", "offset", "status", "describe", connector]));
    const yaml = await f.ok(["connect", "offset", "status", "describe", connector, "-o", "yaml"]);
    expect(yaml).toContain("phase: APPLIED");
    expect(yaml).toContain("previous_offsets:");
  });

  it("update and delete say why nothing can change while the cluster has no Connect workers", async () => {
    await f.writeFile("offsets.json", JSON.stringify({ offsets: [{ partition: { server: "orders" }, offset: { lsn: 1 } }] }));
    expectCleanError(await f.cli(["connect", "offset", "update", connector, "--config-file", "offsets.json"]), 1, "has no Connect URLs, so it has no offsets to change");
    expectCleanError(await f.cli(["connect", "offset", "delete", connector, "--force"]), 1, "has no Connect URLs");
  });

  it("refuses what it cannot use: no file, a file of another shape, an unknown connector, no --force without a terminal", async () => {
    expectCleanError(await f.cli(["connect", "offset", "update", connector]), 2, "required flag \"config-file\" not set");
    await f.writeFile("flat.json", JSON.stringify([{ partition: {}, offset: {} }]));
    const flat = await f.cli(["connect", "offset", "update", connector, "--config-file", "flat.json"]);
    expectCleanError(flat, 1, "flat.json must be a JSON object {\"offsets\": [{\"partition\": {...}, \"offset\": {...}}]}");
    expect(flat.err).toContain(`vaultwire connect offset describe <id> -o json`);
    await f.writeFile("empty-partition.json", JSON.stringify({ offsets: [{ partition: {}, offset: { lsn: 1 } }] }));
    expectCleanError(await f.cli(["connect", "offset", "update", connector, "--config-file", "empty-partition.json"]), 1, "offsets[0].partition must be a non-empty JSON object");
    const unknown = await f.cli(["connect", "offset", "describe", "lcc-nope"]);
    expectCleanError(unknown, 1, "lcc-nope");
    expect(unknown.err).toContain(connector);
    const asked = await f.cli(["connect", "offset", "delete", connector], { stdin: "n\n" });
    expect(asked.code).toBe(0);
    expect(asked.err).toContain("Canceled: nothing was deleted.");
    expectCleanError(await f.cli(["connect", "offset", "describe"]), 2, "<id>");
  });
});
