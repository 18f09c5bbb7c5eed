// `vaultwire environment …` and `vaultwire kafka cluster …` against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, ADMIN_SECRET, expectCleanError, expectGolden, idOf, objectId, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
});
afterAll(async () => { await f.close(); });

describe("vaultwire environment", () => {
  let dev: string;
  let prod: string;

  it("creates environments and prints them", async () => {
    const created = await f.ok(["environment", "create", "dev"]);
    await expectGolden("environment-create", created);
    prod = objectId(await f.ok(["environment", "create", "prod", "-o", "json"]));
    expect(prod).toMatch(/^env-[a-z0-9]{8}$/);
    dev = idOf(await f.ok(["environment", "list", "-o", "json"]));
  });

  it("lists them, marking the one in use", async () => {
    await f.ok(["environment", "use", dev]);
    await expectGolden("environment-list", await f.ok(["environment", "list"]));
    const rows = JSON.parse(await f.ok(["environment", "list", "-o", "json"])) as Record<string, unknown>[];
    expect(rows.map((r) => Object.keys(r))).toEqual([["is_current", "id", "name", "created_at", "updated_at"], ["is_current", "id", "name", "created_at", "updated_at"]]);
    expect(rows.map((r) => r.is_current)).toEqual([true, false]);
    expect(await f.ok(["environment", "list", "-o", "yaml"])).toMatch(/^- is_current: true\n {2}id: env-/);
  });

  it("describes one", async () => {
    await expectGolden("environment-describe", await f.ok(["environment", "describe", dev]));
    expect(JSON.parse(await f.ok(["environment", "describe", prod, "-o", "json"]))).toMatchObject({ id: prod, name: "prod", is_current: false });
  });

  it("names an unknown id and lists the ones that exist", async () => {
    const r = await f.cli(["environment", "describe", "env-00000000"]);
    expectCleanError(r, 1, "Error: unknown environment ID \"env-00000000\"");
    expect(r.err).toContain(`Existing environments: ${dev} (dev), ${prod} (prod).`);
    expect(r.err).toContain("Run \"vaultwire environment list\" to list them.");
    expectCleanError(await f.cli(["environment", "use", "env-00000000"]), 1, "unknown environment ID");
    expectCleanError(await f.cli(["environment", "delete", "env-00000000", "--force"]), 1, "unknown environment ID");
  });

  it("asks before deleting, and does nothing on no", async () => {
    const no = await f.cli(["environment", "delete", prod], { stdin: "n\n" });
    expect(no).toEqual({ code: 0, out: "", err: `Are you sure you want to delete environment "${prod}"? (y/n)\nCanceled: nothing was deleted.\n` });
    const silent = await f.cli(["environment", "delete", prod]);
    expectCleanError(silent, 1, "no answer to the confirmation question");
    expect(silent.err).toContain("pass --force");
    expect(await f.ok(["environment", "delete", prod], { stdin: "y\n" })).toBe(`Deleted environment "${prod}".\n`);
    expect(JSON.parse(await f.ok(["environment", "list", "-o", "json"]))).toHaveLength(1);
  });

  it("fails cleanly on usage errors", async () => {
    for (const [args, fragment] of [
      [["environment", "create"], "missing argument <name>"],
      [["environment", "create", "a", "b"], "unexpected argument \"b\""],
      [["environment", "list", "--bogus"], "unknown option '--bogus'"],
      [["environment", "list", "-o", "xml"], "invalid value \"xml\" for flag \"--output\""],
      [["environment", "frobnicate"], "unknown command \"frobnicate\" for \"vaultwire environment\""],
    ] as const) expectCleanError(await f.cli(args), 2, fragment);
  });

  it("refuses a server error cleanly (a non-empty environment)", async () => {
    await f.ok(["kafka", "cluster", "create", "keep", "--cloud", "azure", "--region", "eastus"]);
    const r = await f.cli(["environment", "delete", dev, "--force"]);
    expectCleanError(r, 1, `environment "${dev}" still has 1 Kafka cluster(s) and 0 provider integration(s); delete them first`);
    const cluster = idOf(await f.ok(["kafka", "cluster", "list", "-o", "json"]));
    await f.ok(["kafka", "cluster", "delete", cluster, "--force"]);
  });
});

describe("vaultwire kafka cluster", () => {
  let env: string;
  let orders: string;

  beforeAll(async () => {
    env = objectId(await f.ok(["environment", "create", "clusters", "-o", "json"]));
  });

  it("says what to do when no environment is selected", async () => {
    const r = await f.cli(["kafka", "cluster", "list"], { env: { HOME: `${f.home}/elsewhere`, VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: ADMIN_KEY, VAULTWIRE_API_SECRET: ADMIN_SECRET } });
    expectCleanError(r, 1, "no environment selected");
    expect(r.err).toContain("vaultwire environment use <id>");
  });

  it("registers clusters with the cloud, region, networking and Connect fields", async () => {
    const created = await f.ok(["kafka", "cluster", "create", "orders", "--cloud", "azure", "--region", "westus3", "--type", "dedicated", "--cku", "2",
      "--bootstrap-servers", "localhost:9092", "--connect-url", "http://127.0.0.1:8083", "--connect-url", "http://127.0.0.1:8084", "--environment", env]);
    await expectGolden("kafka-cluster-create", created);
    orders = idOf(await f.ok(["kafka", "cluster", "list", "--environment", env, "-o", "json"]));
    await f.ok(["kafka", "cluster", "create", "private", "--cloud", "AZURE", "--region", "eastus", "--networking", "private-link", "--availability", "multi-zone", "--environment", env]);
  });

  it("uses a cluster and its environment", async () => {
    expect(await f.ok(["kafka", "cluster", "use", orders])).toBe(`Using Kafka cluster "${orders}" in environment "${env}".\n`);
    await expectGolden("kafka-cluster-list", await f.ok(["kafka", "cluster", "list"]));
    expect(JSON.parse(await f.ok(["kafka", "cluster", "describe", orders, "-o", "json"]))).toEqual({
      is_current: true, id: orders, name: "orders", environment: env, type: "dedicated", cku: 2, cloud: "azure", region: "westus3", availability: "single-zone",
      networking: "public", bootstrap_servers: "localhost:9092", connect_urls: ["http://127.0.0.1:8083", "http://127.0.0.1:8084"], status: "PROVISIONED", created_at: expect.any(String) as unknown,
    });
    await expectGolden("kafka-cluster-describe", await f.ok(["kafka", "cluster", "describe", orders]));
  });

  it("rejects what the server rejects, in one line", async () => {
    expectCleanError(await f.cli(["kafka", "cluster", "create", "x", "--cloud", "azure", "--region", "west us", "--environment", env]), 1, "spec.region must be a region name");
    expectCleanError(await f.cli(["kafka", "cluster", "create", "x", "--cloud", "azure", "--region", "eastus", "--connect-url", "ftp://x", "--environment", env]), 1, "spec.connect_urls[0] must be an http:// or https:// URL");
  });

  it("fails cleanly on usage errors and unknown ids", async () => {
    for (const [args, fragment] of [
      [["kafka", "cluster", "create", "x", "--region", "eastus"], "required flag \"cloud\" not set"],
      [["kafka", "cluster", "create", "x", "--cloud", "ibm", "--region", "eastus"], "invalid value \"ibm\" for flag \"--cloud\""],
      [["kafka", "cluster", "create", "x", "--cloud", "azure", "--region", "eastus", "--type", "huge"], "--type"],
      [["kafka", "cluster", "create", "x", "--cloud", "azure", "--region", "eastus", "--cku", "0"], "--cku"],
      [["kafka", "cluster", "create", "x", "--cloud", "azure", "--region", "eastus", "--networking", "vpn"], "--networking"],
      [["kafka", "cluster", "describe"], "missing argument <id>"],
      [["kafka", "nope"], "unknown command \"nope\" for \"vaultwire kafka\""],
      [["kafka", "cluster", "nope"], "unknown command \"nope\" for \"vaultwire kafka cluster\""],
    ] as const) expectCleanError(await f.cli(args), 2, fragment);
    const unknown = await f.cli(["kafka", "cluster", "describe", "lkc-00000000"]);
    expectCleanError(unknown, 1, "unknown Kafka cluster ID \"lkc-00000000\"");
    expect(unknown.err).toContain(`Existing Kafka clusters in environment "${env}": ${orders} (orders), `);
    expectCleanError(await f.cli(["kafka", "cluster", "describe", orders, "--environment", "env-00000000"]), 1, "unknown Kafka cluster ID");
  });

  it("deletes a cluster and forgets it when it was in use", async () => {
    expect(await f.ok(["kafka", "cluster", "delete", orders], { stdin: "yes\n" })).toBe(`Deleted Kafka cluster "${orders}".\n`);
    const r = await f.cli(["connect", "cluster", "list"]);
    expectCleanError(r, 1, "no Kafka cluster selected");
  });

  it("shows help on every level, with examples", async () => {
    for (const args of [["kafka", "--help"], ["kafka", "cluster", "--help"], ["environment", "--help"]]) {
      const r = await f.cli(args);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Available Commands:");
    }
    for (const verb of ["create", "list", "describe", "use", "delete"]) {
      for (const noun of [["kafka", "cluster"], ["environment"]]) {
        const r = await f.cli([...noun, verb, "--help"]);
        expect(r.code).toBe(0);
        expect(r.out).toContain("Examples:");
        expect(r.out).toContain(`vaultwire ${noun.join(" ")} ${verb}`);
      }
    }
    expect((await f.cli(["kafka", "cluster"])).code).toBe(2);
  });
});
