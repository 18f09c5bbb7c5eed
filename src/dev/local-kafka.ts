/**
 * A local Kafka stack for development and tests: one KRaft broker (combined
 * broker + controller) and one distributed Kafka Connect worker, run as child
 * JVMs from the jars that `bash infra/kafka/bin/fetch.sh` lays out in
 * `infra/kafka/target/` (classpath `lib/*`, connector plugins and vaultwire's
 * ConfigProvider in `plugins/`).
 *
 * Dev tooling like the Azure emulator: it imports nothing from the product
 * but the rebalance delay of services/worker-config.ts (a module without
 * imports), so local workers and managed ones wait the same. The end-to-end
 * tests (`test/e2e/`), `npm run quickstart` (scripts/quickstart.ts) and
 * `bench/e2e.ts` call `startLocalKafka`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REBALANCE_DELAY_PROPERTY, SCHEDULED_REBALANCE_MAX_DELAY_MS } from "../services/worker-config.js";

export interface LocalKafkaOptions {
  /** Working folder: properties files, KRaft storage (formatted once, reused), `logs/`. */
  dir: string;
  /** The broker's PLAINTEXT port on 127.0.0.1; default a free port. */
  kafkaPort?: number;
  /** The KRaft controller port; default a free port. */
  controllerPort?: number;
  /** Connect's REST port; default a free port. */
  connectPort?: number;
  /** Added to (and overriding) the worker's properties, e.g. `config.providers=vaultwire`. */
  workerProperties?: Record<string, string>;
  /** Maximum heap of the Connect worker in MiB (default 768); the broker gets 512. */
  heapMb?: number;
  /** How long each process may take to become ready (default 120 s). */
  readyTimeoutMs?: number;
  /** How long a process may take to stop after SIGTERM before SIGKILL (default 20 s). */
  stopGraceMs?: number;
  /** The folder with `lib/` and `plugins/`; default `VAULTWIRE_KAFKA_HOME` or the repository's `infra/kafka/target`. */
  kafkaHome?: string;
}

export interface LocalKafka {
  /** `127.0.0.1:<port>` */
  readonly bootstrapServers: string;
  /** `http://127.0.0.1:<port>` */
  readonly connectUrl: string;
  /** The log4j files of both processes (their stdout/stderr go to `*.out` beside them). */
  readonly logFiles: { readonly broker: string; readonly connect: string };
  /** Stops the worker only (the broker keeps running). */
  stopConnect(): Promise<void>;
  /** Starts the worker again, with the same properties and port. */
  startConnect(): Promise<void>;
  /** Stops the worker, then the broker. */
  stop(): Promise<void>;
}

/** Where the stack's jars live, and the commands to run them. */
export interface LocalKafkaInstall {
  readonly libDir: string;
  readonly pluginDir: string;
  readonly log4jConfig: string;
  /** `java` from JAVA_HOME, else from PATH. */
  readonly java: string;
  /** Argument list of a JVM running `mainClass` on the stack's classpath with the stack's logging. */
  javaArgs(options: { mainClass: string; args: readonly string[]; heapMb: number; logDir: string; logName: string }): string[];
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FETCH_HINT = "run `bash infra/kafka/bin/fetch.sh` (or `npm run kafka:fetch`) in the vaultwire repository first";
const BROKER_READY_LINE = "Kafka Server started";
const BROKER_HEAP_MB = 512;
const POLL_MS = 150;

/** Finds the jars laid out by `infra/kafka/bin/fetch.sh`; throws with what to run when they are missing. */
export function findLocalKafkaInstall(kafkaHome?: string): LocalKafkaInstall {
  const home = resolve(kafkaHome ?? process.env.VAULTWIRE_KAFKA_HOME ?? join(REPO_ROOT, "infra", "kafka", "target"));
  const libDir = join(home, "lib");
  const pluginDir = join(home, "plugins");
  const hasJars = (folder: string): boolean => existsSync(folder) && readdirSync(folder).some((name) => name.endsWith(".jar"));
  if (!hasJars(libDir) || !existsSync(pluginDir)) {
    throw new Error(`the local Kafka jars are missing in ${home}: ${FETCH_HINT}`);
  }
  if (!readdirSync(libDir).some((name) => name.startsWith("connect-runtime-"))) {
    throw new Error(`${libDir} has no connect-runtime jar: ${FETCH_HINT}`);
  }
  const configCandidates = [join(home, "..", "config", "log4j2.xml"), join(REPO_ROOT, "infra", "kafka", "config", "log4j2.xml")];
  const log4jConfig = configCandidates.find((file) => existsSync(file));
  if (log4jConfig === undefined) throw new Error(`infra/kafka/config/log4j2.xml not found beside ${home}`);
  const javaHome = process.env.JAVA_HOME;
  const java = javaHome !== undefined && javaHome !== "" && existsSync(join(javaHome, "bin", "java")) ? join(javaHome, "bin", "java") : "java";
  return {
    libDir,
    pluginDir,
    log4jConfig,
    java,
    javaArgs: ({ mainClass, args, heapMb, logDir, logName }) => [
      `-Xmx${heapMb}m`,
      // A 2-core machine: one GC thread, and C1 only (starts faster; these JVMs do little work).
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-XX:+ExitOnOutOfMemoryError",
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${log4jConfig}`,
      `-Dkafka.logs.dir=${logDir}`,
      `-Dvaultwire.log.name=${logName}`,
      // The log file has everything; stdout/stderr (→ *.out) keep what bypasses log4j (JVM errors).
      "-Dvaultwire.console.level=OFF",
      "-cp",
      `${libDir}/*`,
      mainClass,
      ...args,
    ],
  };
}

/**
 * Starts the broker, then the Connect worker, and resolves when Connect's
 * `GET /health` answers 200. The KRaft storage in `dir` is formatted on first
 * use and reused afterwards (topics and connectors survive a restart).
 */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const install = findLocalKafkaInstall(options.kafkaHome);
  const dir = resolve(options.dir);
  const logDir = join(dir, "logs");
  const dataDir = join(dir, "kraft");
  mkdirSync(logDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });

  const [kafkaPort, controllerPort, connectPort] = await freePorts([options.kafkaPort, options.controllerPort, options.connectPort] as const);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const stopGraceMs = options.stopGraceMs ?? 20_000;
  const bootstrapServers = `127.0.0.1:${kafkaPort}`;
  const connectUrl = `http://127.0.0.1:${connectPort}`;
  const logFiles = { broker: join(logDir, "broker.log"), connect: join(logDir, "connect.log") };

  const serverProperties = join(dir, "server.properties");
  writeProperties(serverProperties, brokerProperties({ kafkaPort, controllerPort, dataDir }));
  const workerPropertiesFile = join(dir, "worker.properties");
  // 0600: worker properties may carry a token (config.providers.*.param.token).
  writeProperties(workerPropertiesFile, { ...workerProperties({ bootstrapServers, connectPort, pluginDir: install.pluginDir }), ...options.workerProperties });

  if (!existsSync(join(dataDir, "meta.properties"))) {
    await runToCompletion(install, {
      mainClass: "kafka.tools.StorageTool",
      args: ["format", "--cluster-id", newClusterId(), "--config", serverProperties, "--ignore-formatted"],
      logDir,
      logName: "format",
      timeoutMs: readyTimeoutMs,
    });
  }

  const children = new Set<ChildProcess>();
  const killAll = (): void => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killAll);

  const launch = (name: "broker" | "connect"): { child: ChildProcess; logOffset: number } => {
    const logFile = logFiles[name];
    const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    const outFile = join(logDir, `${name}.out`);
    const out = openSync(outFile, "a");
    try {
      const args = name === "broker"
        ? install.javaArgs({ mainClass: "kafka.Kafka", args: [serverProperties], heapMb: BROKER_HEAP_MB, logDir, logName: "broker" })
        : install.javaArgs({ mainClass: "org.apache.kafka.connect.cli.ConnectDistributed", args: [workerPropertiesFile], heapMb: options.heapMb ?? 768, logDir, logName: "connect" });
      const child = spawn(install.java, args, { cwd: dir, stdio: ["ignore", out, out] });
      children.add(child);
      child.once("exit", () => children.delete(child));
      child.once("error", () => children.delete(child));
      return { child, logOffset };
    } finally {
      closeSync(out);
    }
  };

  let broker: ChildProcess | undefined;
  let connect: ChildProcess | undefined;

  const startConnect = async (): Promise<void> => {
    if (connect !== undefined && isRunning(connect)) return;
    const launched = launch("connect");
    connect = launched.child;
    try {
      await waitReady("Kafka Connect worker", launched.child, [logFiles.connect, join(logDir, "connect.out")], readyTimeoutMs, async () => {
        try {
          const response = await fetch(`${connectUrl}/health`, { signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          return response.status === 200;
        } catch {
          return false;
        }
      });
    } catch (error) {
      await stopProcess(launched.child, stopGraceMs);
      connect = undefined;
      throw error;
    }
  };

  const stopConnect = async (): Promise<void> => {
    if (connect !== undefined) await stopProcess(connect, stopGraceMs);
    connect = undefined;
  };

  const stop = async (): Promise<void> => {
    try {
      await stopConnect();
      if (broker !== undefined) await stopProcess(broker, stopGraceMs);
      broker = undefined;
    } finally {
      killAll();
      process.removeListener("exit", killAll);
    }
  };

  try {
    const launched = launch("broker");
    broker = launched.child;
    await waitReady("Kafka broker", launched.child, [logFiles.broker, join(logDir, "broker.out")], readyTimeoutMs, async () =>
      (await readFrom(logFiles.broker, launched.logOffset)).includes(BROKER_READY_LINE));
    await startConnect();
  } catch (error) {
    await stop();
    throw error;
  }

  return { bootstrapServers, connectUrl, logFiles, stopConnect, startConnect, stop };
}

function brokerProperties(p: { kafkaPort: number; controllerPort: number; dataDir: string }): Record<string, string> {
  return {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.voters": `1@127.0.0.1:${p.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${p.kafkaPort},CONTROLLER://127.0.0.1:${p.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${p.kafkaPort}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": p.dataDir,
    "num.partitions": "1",
    "auto.create.topics.enable": "true",
    // One node: replication factor 1 everywhere, else INVALID_REPLICATION_FACTOR forever.
    "offsets.topic.replication.factor": "1",
    // One partition instead of 50: the first group join (Connect's) creates it.
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
  };
}

function workerProperties(p: { bootstrapServers: string; connectPort: number; pluginDir: string }): Record<string, string> {
  return {
    "bootstrap.servers": p.bootstrapServers,
    "group.id": "vaultwire-local-connect",
    "config.storage.topic": "connect-configs",
    "offset.storage.topic": "connect-offsets",
    "status.storage.topic": "connect-status",
    "config.storage.replication.factor": "1",
    "offset.storage.replication.factor": "1",
    "status.storage.replication.factor": "1",
    "offset.storage.partitions": "1",
    "status.storage.partitions": "1",
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    listeners: `http://127.0.0.1:${p.connectPort}`,
    "rest.advertised.host.name": "127.0.0.1",
    "rest.advertised.port": String(p.connectPort),
    // Plugins (Debezium, vaultwire's ConfigProvider) only here, never on the classpath.
    "plugin.path": p.pluginDir,
    "plugin.discovery": "service_load",
    "offset.flush.interval.ms": "1000",
    // Not Connect's 5 minutes: the delay vaultwire's worker-config gives managed workers.
    [REBALANCE_DELAY_PROPERTY]: String(SCHEDULED_REBALANCE_MAX_DELAY_MS),
  };
}

/** A KRaft cluster id: 16 random bytes in base64url, 22 characters, not starting with "-" (the tool would read it as a flag). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Writes a Java properties file (ISO-8859-1 with \\u escapes, as `Properties.load` reads it), mode 0600. */
function writeProperties(file: string, properties: Record<string, string>): void {
  const escape = (text: string, isKey: boolean): string => {
    let out = "";
    for (let index = 0; index < text.length; index++) {
      const char = text.charAt(index);
      const code = text.charCodeAt(index);
      if (char === "\\") out += "\\\\";
      else if (char === "\n") out += "\\n";
      else if (char === "\r") out += "\\r";
      else if (char === "\t") out += "\\t";
      else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else if ((isKey && (char === "=" || char === ":" || char === " ")) || (index === 0 && (char === " " || char === "#" || char === "!"))) out += `\\${char}`;
      else out += char;
    }
    return out;
  };
  const lines = ["# Written by vaultwire's src/dev/local-kafka.ts; rewritten on every start.", ...Object.entries(properties).map(([key, value]) => `${escape(key, true)}=${escape(value, false)}`)];
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Free TCP ports on 127.0.0.1 for the entries left undefined (or 0). */
export async function freePorts<T extends readonly (number | undefined)[]>(wanted: T): Promise<{ -readonly [K in keyof T]: number }> {
  const servers = await Promise.all(wanted.map(async (port) => {
    if (port !== undefined && port !== 0) return undefined;
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return server;
  }));
  const ports = servers.map((server, index) => server === undefined ? (wanted[index] ?? 0) : (server.address() as AddressInfo).port);
  await Promise.all(servers.map(async (server) => {
    if (server === undefined) return;
    server.close();
    await once(server, "close");
  }));
  return ports as { -readonly [K in keyof T]: number };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function waitReady(what: string, child: ChildProcess, logFiles: readonly string[], timeoutMs: number, isReady: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once("error", (error) => { spawnError = error; });
  for (;;) {
    if (spawnError !== undefined) {
      throw new Error(`could not start the ${what} (${spawnError.message}): is Java 17+ installed (JAVA_HOME or java on PATH)?`);
    }
    if (!isRunning(child)) {
      throw new Error(`the ${what} exited (${child.exitCode !== null ? `code ${child.exitCode}` : `signal ${child.signalCode ?? "?"}`}) before it was ready\n${await logTails(logFiles)}`);
    }
    if (await isReady()) return;
    if (Date.now() >= deadline) {
      throw new Error(`the ${what} was not ready within ${Math.round(timeoutMs / 1000)} s\n${await logTails(logFiles)}`);
    }
    await delay(POLL_MS);
  }
}

async function runToCompletion(install: LocalKafkaInstall, p: { mainClass: string; args: string[]; logDir: string; logName: string; timeoutMs: number }): Promise<void> {
  const outFile = join(p.logDir, `${p.logName}.out`);
  const out = openSync(outFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(install.java, install.javaArgs({ mainClass: p.mainClass, args: p.args, heapMb: 256, logDir: p.logDir, logName: p.logName }), { stdio: ["ignore", out, out] });
  } finally {
    closeSync(out);
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), p.timeoutMs);
  try {
    const [code, signal] = await Promise.race([
      once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>,
      once(child, "error").then(([error]) => { throw new Error(`could not run ${p.mainClass} (${(error as Error).message}): is Java 17+ installed (JAVA_HOME or java on PATH)?`); }),
    ]);
    if (code !== 0) {
      throw new Error(`${p.mainClass} failed (${code !== null ? `code ${code}` : `signal ${signal ?? "?"}`})\n${await logTails([outFile, join(p.logDir, `${p.logName}.log`)])}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return "";
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** The last lines of each file, for error messages. */
async function logTails(files: readonly string[], lines = 60): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = await readFrom(file, Math.max(0, statSync(file).size - 16_384));
    const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
    if (tail !== "") parts.push(`--- last lines of ${file} ---\n${tail}`);
  }
  return parts.length > 0 ? parts.join("\n") : "(no log output)";
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
