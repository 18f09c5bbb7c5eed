/**
 * A local Kafka stack for development and tests: one KRaft broker (combined
 * broker + controller) and one or more distributed Kafka Connect workers in
 * one group, run as child JVMs from the jars that `bash infra/kafka/bin/fetch.sh`
 * lays out in `infra/kafka/target/` (classpath `lib/*`, connector plugins and
 * vaultwire's ConfigProvider in `plugins/`).
 *
 * The jars come from a checkout: `kafkaHome`, else `VAULTWIRE_KAFKA_HOME`,
 * else the checkout's `infra/kafka/target`. src/dev/ is not in the npm
 * package (package.json "files"): the stack needs the checkout's Maven project
 * (which also builds the ConfigProvider from connect-plugin/) and its log4j
 * config, and kafka-reader.ts needs kafkajs, a devDependency.
 *
 * Dev tooling like the Azure emulator: it imports nothing from the product
 * but the rebalance delay of runtime/kafka-connect/rebalance-delay.ts (a
 * module without imports), so local workers and managed ones wait the same. The end-to-end
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
import { REBALANCE_DELAY_PROPERTY, SCHEDULED_REBALANCE_MAX_DELAY_MS } from "../runtime/kafka-connect/rebalance-delay.js";

export interface LocalKafkaOptions {
  /** Working folder: properties files, KRaft storage (formatted once, reused), `logs/`. */
  dir: string;
  /** The broker's PLAINTEXT port on 127.0.0.1; default a free port. */
  kafkaPort?: number;
  /** The KRaft controller port; default a free port. */
  controllerPort?: number;
  /** The first Connect worker's REST port; default a free port. */
  connectPort?: number;
  /**
   * How many Connect workers to run in the group (default 1). They share the
   * group id, topics and properties; each has its own REST port (the first is
   * `connectPort`, the others free ports) and its own properties and log file.
   */
  workers?: number;
  /** Added to (and overriding) every worker's properties, e.g. `config.providers=vaultwire`. */
  workerProperties?: Record<string, string>;
  /** Maximum heap of each Connect worker in MiB (default 768); the broker gets 512. */
  heapMb?: number;
  /** How long each process may take to become ready (default 120 s). */
  readyTimeoutMs?: number;
  /** How long a process may take to stop after SIGTERM before SIGKILL (default 20 s). */
  stopGraceMs?: number;
  /** The folder with `lib/` and `plugins/`; default `VAULTWIRE_KAFKA_HOME`, else the checkout's `infra/kafka/target` (CHECKOUT_KAFKA_HOME). */
  kafkaHome?: string;
}

export interface LocalKafka {
  /** `127.0.0.1:<port>` */
  readonly bootstrapServers: string;
  /** `http://127.0.0.1:<port>` of the first worker. */
  readonly connectUrl: string;
  /** Every worker's URL, by index (`connectUrls[0] === connectUrl`). */
  readonly connectUrls: readonly string[];
  /**
   * The log4j files (stdout/stderr go to `*.out` beside them): the broker's,
   * the first worker's (`connect`), and every worker's by index (`connectWorkers`).
   */
  readonly logFiles: { readonly broker: string; readonly connect: string; readonly connectWorkers: readonly string[] };
  /** Stops every worker (the broker keeps running). */
  stopConnect(): Promise<void>;
  /** Starts every stopped worker again, with the same properties and ports. */
  startConnect(): Promise<void>;
  /** Stops worker `index` (SIGTERM, then SIGKILL after the grace period); the others keep running. */
  stopWorker(index: number): Promise<void>;
  /** Kills worker `index` with SIGKILL (no clean leave from the group) and waits for it to exit. */
  killWorker(index: number): Promise<void>;
  /** Starts worker `index` again, with the same properties and port; resolves when it answers `GET /health`. */
  startWorker(index: number): Promise<void>;
  /** Whether worker `index` is running. */
  isWorkerRunning(index: number): boolean;
  /** Stops every worker, then the broker. */
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
/** Where `bash infra/kafka/bin/fetch.sh` lays the stack out in this checkout: the default Kafka home. */
export const CHECKOUT_KAFKA_HOME = join(REPO_ROOT, "infra", "kafka", "target");
const FETCH_SUGGESTIONS = [
  "In a vaultwire checkout, run `npm run kafka:fetch` (or `bash infra/kafka/bin/fetch.sh`): it lays out lib/ and plugins/ in infra/kafka/target.",
  "Or set VAULTWIRE_KAFKA_HOME (the kafkaHome option) to a folder laid out that way.",
];
const BROKER_READY_LINE = "Kafka Server started";
const BROKER_HEAP_MB = 512;
const POLL_MS = 150;

/**
 * Finds the jars laid out by `infra/kafka/bin/fetch.sh` in `kafkaHome`, else
 * `VAULTWIRE_KAFKA_HOME`, else CHECKOUT_KAFKA_HOME; throws, saying which
 * folder it looked in, why it chose it and how to get the jars, when they are
 * missing.
 */
export function findLocalKafkaInstall(kafkaHome?: string, env: NodeJS.ProcessEnv = process.env): LocalKafkaInstall {
  const fromEnv = env.VAULTWIRE_KAFKA_HOME === undefined || env.VAULTWIRE_KAFKA_HOME === "" ? undefined : env.VAULTWIRE_KAFKA_HOME;
  const home = resolve(kafkaHome ?? fromEnv ?? CHECKOUT_KAFKA_HOME);
  const chosenBy = kafkaHome !== undefined ? "the kafkaHome option" : fromEnv !== undefined ? "VAULTWIRE_KAFKA_HOME" : "the checkout's default";
  const missing = (what: string): Error =>
    new Error(`the local Kafka stack is not laid out in "${home}" (${chosenBy}): ${what}\nSuggestions:\n${FETCH_SUGGESTIONS.map((line) => `    ${line}`).join("\n")}`);
  const libDir = join(home, "lib");
  const pluginDir = join(home, "plugins");
  const libJars = existsSync(libDir) ? readdirSync(libDir).filter((name) => name.endsWith(".jar")) : [];
  if (libJars.length === 0) throw missing(`"${libDir}" has no jars`);
  if (!libJars.some((name) => name.startsWith("connect-runtime-"))) throw missing(`"${libDir}" has no connect-runtime jar`);
  if (!existsSync(pluginDir)) throw missing(`"${pluginDir}" does not exist`);
  const configCandidates = [join(home, "..", "config", "log4j2.xml"), join(REPO_ROOT, "infra", "kafka", "config", "log4j2.xml")];
  const log4jConfig = configCandidates.find((file) => existsSync(file));
  if (log4jConfig === undefined) throw new Error(`the local Kafka stack's log4j config is missing: neither "${configCandidates.join("\" nor \"")}" exists (it is infra/kafka/config/log4j2.xml in a vaultwire checkout)`);
  const javaHome = env.JAVA_HOME;
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

  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error(`workers: expected a whole number of at least 1, got ${workerCount}`);
  // One call, so no two of the ports are the same.
  const [kafkaPort = 0, controllerPort = 0, ...connectPorts] = await freePorts([options.kafkaPort, options.controllerPort, options.connectPort, ...Array.from({ length: workerCount - 1 }, () => undefined)]);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const stopGraceMs = options.stopGraceMs ?? 20_000;
  const bootstrapServers = `127.0.0.1:${kafkaPort}`;
  const connectUrls = connectPorts.map((port) => `http://127.0.0.1:${port}`);
  // The first worker keeps the single-worker names (connect.log, worker.properties); the others are numbered.
  const workerName = (index: number): string => index === 0 ? "connect" : `connect-${index}`;
  const workerLogs = connectPorts.map((_port, index) => join(logDir, `${workerName(index)}.log`));
  const logFiles = { broker: join(logDir, "broker.log"), connect: workerLogs[0] ?? join(logDir, "connect.log"), connectWorkers: workerLogs };

  const serverProperties = join(dir, "server.properties");
  writeProperties(serverProperties, brokerProperties({ kafkaPort, controllerPort, dataDir }));
  const workerPropertiesFiles = connectPorts.map((connectPort, index) => {
    const file = join(dir, index === 0 ? "worker.properties" : `worker-${index}.properties`);
    // 0600: worker properties may carry a token (config.providers.*.param.token).
    writeProperties(file, { ...workerProperties({ bootstrapServers, connectPort, pluginDir: install.pluginDir }), ...options.workerProperties });
    return file;
  });

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

  /** Spawns the broker (`worker` undefined) or Connect worker `worker`. */
  const launch = (worker?: number): { child: ChildProcess; logOffset: number } => {
    const name = worker === undefined ? "broker" : workerName(worker);
    const logFile = worker === undefined ? logFiles.broker : workerLogs[worker] ?? "";
    const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    const outFile = join(logDir, `${name}.out`);
    const out = openSync(outFile, "a");
    try {
      const args = worker === undefined
        ? install.javaArgs({ mainClass: "kafka.Kafka", args: [serverProperties], heapMb: BROKER_HEAP_MB, logDir, logName: "broker" })
        : install.javaArgs({ mainClass: "org.apache.kafka.connect.cli.ConnectDistributed", args: [workerPropertiesFiles[worker] ?? ""], heapMb: options.heapMb ?? 768, logDir, logName: name });
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
  const workers: (ChildProcess | undefined)[] = connectPorts.map(() => undefined);
  const checkIndex = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= workerCount) throw new Error(`no Connect worker ${index}: this stack has ${workerCount} (0 to ${workerCount - 1})`);
  };

  const startWorker = async (index: number): Promise<void> => {
    checkIndex(index);
    const running = workers[index];
    if (running !== undefined && isRunning(running)) return;
    const launched = launch(index);
    workers[index] = launched.child;
    const url = connectUrls[index] ?? "";
    const what = workerCount === 1 ? "Kafka Connect worker" : `Kafka Connect worker ${index}`;
    try {
      await waitReady(what, launched.child, [workerLogs[index] ?? "", join(logDir, `${workerName(index)}.out`)], readyTimeoutMs, async () => {
        try {
          const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          return response.status === 200;
        } catch {
          return false;
        }
      });
    } catch (error) {
      await stopProcess(launched.child, stopGraceMs);
      workers[index] = undefined;
      throw error;
    }
  };

  const stopWorker = async (index: number): Promise<void> => {
    checkIndex(index);
    const child = workers[index];
    if (child !== undefined) await stopProcess(child, stopGraceMs);
    workers[index] = undefined;
  };

  const killWorker = async (index: number): Promise<void> => {
    checkIndex(index);
    const child = workers[index];
    workers[index] = undefined;
    if (child === undefined || !isRunning(child)) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  };

  const isWorkerRunning = (index: number): boolean => {
    checkIndex(index);
    const child = workers[index];
    return child !== undefined && isRunning(child);
  };

  // Workers start together: each joins the group when it is up.
  const startConnect = async (): Promise<void> => {
    const started = await Promise.allSettled(workers.map((_child, index) => startWorker(index)));
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  };

  const stopConnect = async (): Promise<void> => {
    await Promise.all(workers.map((_child, index) => stopWorker(index)));
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
    const launched = launch();
    broker = launched.child;
    await waitReady("Kafka broker", launched.child, [logFiles.broker, join(logDir, "broker.out")], readyTimeoutMs, async () =>
      (await readFrom(logFiles.broker, launched.logOffset)).includes(BROKER_READY_LINE));
    await startConnect();
  } catch (error) {
    await stop();
    throw error;
  }

  return { bootstrapServers, connectUrl: connectUrls[0] ?? "", connectUrls, logFiles, stopConnect, startConnect, stopWorker, killWorker, startWorker, isWorkerRunning, stop };
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
