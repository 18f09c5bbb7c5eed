import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHECKOUT_KAFKA_HOME, findLocalKafkaInstall } from "./local-kafka.js";

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "vaultwire-kafka-home-"));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A Kafka home laid out as fetch.sh does it (empty jar files: nothing runs them here). */
function fakeHome(name: string, options: { connectRuntime?: boolean; plugins?: boolean } = {}): string {
  const home = join(scratch, name);
  mkdirSync(join(home, "lib"), { recursive: true });
  writeFileSync(join(home, "lib", "kafka-clients-4.4.0.jar"), "");
  if (options.connectRuntime ?? true) writeFileSync(join(home, "lib", "connect-runtime-4.4.0.jar"), "");
  if (options.plugins ?? true) mkdirSync(join(home, "plugins"));
  return home;
}

describe("findLocalKafkaInstall", () => {
  it("honours an explicit kafkaHome over VAULTWIRE_KAFKA_HOME", () => {
    const home = fakeHome("explicit");
    const install = findLocalKafkaInstall(home, { VAULTWIRE_KAFKA_HOME: fakeHome("from-env") });
    expect(install.libDir).toBe(join(home, "lib"));
    expect(install.pluginDir).toBe(join(home, "plugins"));
    expect(install.javaArgs({ mainClass: "kafka.Kafka", args: [], heapMb: 256, logDir: scratch, logName: "broker" })).toContain(`${join(home, "lib")}/*`);
  });

  it("takes VAULTWIRE_KAFKA_HOME when no kafkaHome is given", () => {
    const home = fakeHome("from-env");
    expect(findLocalKafkaInstall(undefined, { VAULTWIRE_KAFKA_HOME: home }).libDir).toBe(join(home, "lib"));
  });

  it("defaults to the checkout's infra/kafka/target", () => {
    expect(CHECKOUT_KAFKA_HOME).toMatch(/[/\\]infra[/\\]kafka[/\\]target$/);
    let thrown: unknown;
    try {
      findLocalKafkaInstall(undefined, {});
    } catch (error) {
      thrown = error;
    }
    // Either the checkout has fetched the jars, or the error names the default and how to get them.
    if (thrown !== undefined) expect((thrown as Error).message).toContain(`"${CHECKOUT_KAFKA_HOME}" (the checkout's default)`);
  });

  it("says where it looked, why there, and how to get the jars when the lib dir is missing", () => {
    const home = join(scratch, "nothing-here");
    expect(() => findLocalKafkaInstall(undefined, { VAULTWIRE_KAFKA_HOME: home })).toThrow(
      `the local Kafka stack is not laid out in "${home}" (VAULTWIRE_KAFKA_HOME): "${join(home, "lib")}" has no jars\n` +
        "Suggestions:\n" +
        "    In a vaultwire checkout, run `npm run kafka:fetch` (or `bash infra/kafka/bin/fetch.sh`): it lays out lib/ and plugins/ in infra/kafka/target.\n" +
        "    Or set VAULTWIRE_KAFKA_HOME (the kafkaHome option) to a folder laid out that way.",
    );
  });

  it("names the missing connect-runtime jar and the missing plugins folder", () => {
    const noRuntime = fakeHome("no-runtime", { connectRuntime: false });
    expect(() => findLocalKafkaInstall(noRuntime, {})).toThrow(`"${noRuntime}" (the kafkaHome option): "${join(noRuntime, "lib")}" has no connect-runtime jar`);
    const noPlugins = fakeHome("no-plugins", { plugins: false });
    expect(() => findLocalKafkaInstall(noPlugins, {})).toThrow(`"${join(noPlugins, "plugins")}" does not exist`);
  });

  it("takes java from JAVA_HOME only when it has bin/java", () => {
    const home = fakeHome("java");
    expect(findLocalKafkaInstall(home, { JAVA_HOME: join(scratch, "no-jdk") }).java).toBe("java");
    const jdk = join(scratch, "jdk");
    mkdirSync(join(jdk, "bin"), { recursive: true });
    writeFileSync(join(jdk, "bin", "java"), "");
    expect(findLocalKafkaInstall(home, { JAVA_HOME: jdk }).java).toBe(join(jdk, "bin", "java"));
  });
});
