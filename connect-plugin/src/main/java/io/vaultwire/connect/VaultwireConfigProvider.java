package io.vaultwire.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code ${vaultwire:<connector id>:<config key>}} placeholders in
 * connector configs by asking vaultwire, so secret values never sit in
 * Connect's config topic, its REST answers or its logs.
 *
 * <p>Worker configuration:
 * <pre>
 * config.providers=vaultwire
 * config.providers.vaultwire.class=io.vaultwire.connect.VaultwireConfigProvider
 * config.providers.vaultwire.param.urls=https://vw-1.example.com,https://vw-2.example.com
 * config.providers.vaultwire.param.cluster=lkc-abc123
 * config.providers.vaultwire.param.token.file=/etc/kafka-connect/vaultwire-token
 * </pre>
 * (parameters: see {@link ProviderSettings}).
 *
 * <p>{@code get(path, keys)} calls
 * {@code GET {url}/internal/v1/clusters/{cluster}/connectors/{path}/secrets?keys=k1,k2}
 * with the worker's bearer token, asking the URLs in turn from the last one that
 * answered. 200 {@code {"data": {key: value}}} gives the values (no TTL); 4xx
 * {@code {"error": {"code", "message"}}} fails at once with
 * {@code "vaultwire: " + message}, which Connect shows in the task's trace;
 * connection errors, timeouts, 5xx, 408 and 429 move on to the next URL. Rounds
 * over the URLs are retried with exponential backoff and jitter: until the
 * deadline only after a "try again soon" (429, 503 with Retry-After), else for
 * at most {@code unreachable.timeout.ms} — Connect calls providers on its herder
 * thread, where every second spent waiting stalls the worker's other connectors.
 * After a round in which no URL accepted a connection, fetches fail at once
 * for {@code unreachable.cooldown.ms} (a circuit per provider, i.e. per worker)
 * unless a URL accepts a TCP connection again.
 *
 * <p>Values never reach a log line or an exception: the provider logs which
 * connector and key names it fetched, and error messages are built from
 * statuses, vaultwire's one-line error messages (which never carry values by
 * contract) and exception class names, never from a 200 body.
 */
public final class VaultwireConfigProvider implements ConfigProvider {
  private static final Logger log = LoggerFactory.getLogger(VaultwireConfigProvider.class);

  /** Connector ids as vaultwire makes them ({@code lcc-…}): one path segment, nothing to normalise. */
  private static final Pattern CONNECTOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final int MAX_BODY_BYTES = 1 << 20;
  static final String WORKER_HEADER = "X-Vaultwire-Worker";
  /** The longest the circuit's reachability check waits for one URL's TCP connection. */
  static final long CHECK_TIMEOUT_MS = 100;
  static final String VERSION = version();

  /** Time and waiting, replaceable in tests. */
  interface Clock {
    long nanoTime();

    void sleep(long millis) throws InterruptedException;
  }

  private static final Clock SYSTEM_CLOCK = new Clock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      Thread.sleep(millis);
    }
  };

  /** The per-worker circuit: open while no vaultwire URL accepts connections. Guarded by itself. */
  private static final class Circuit {
    boolean down;
    long downSince;
    long lastRefusal;
    long openUntil;
    String lastErrors = "";
  }

  private final Clock clock;
  private final Supplier<String> hostName;
  private final Circuit circuit = new Circuit();
  /** The index of the URL asked first: the last one that answered. */
  private final AtomicInteger preferred = new AtomicInteger();
  private volatile ProviderSettings settings;
  private volatile HttpClient client;
  private volatile String userAgent = "vaultwire-config-provider/" + VERSION;

  /** Connect instantiates providers reflectively. */
  public VaultwireConfigProvider() {
    this(SYSTEM_CLOCK, ProviderSettings::localHostName);
  }

  VaultwireConfigProvider(Clock clock, Supplier<String> hostName) {
    this.clock = clock;
    this.hostName = hostName;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    ProviderSettings parsed = ProviderSettings.parse(configs, hostName);
    for (String name : configs.keySet()) {
      if (!ProviderSettings.KNOWN.contains(name)) {
        log.warn("vaultwire: ignoring the unknown parameter \"{}\" (known: {})", name, new TreeSet<>(ProviderSettings.KNOWN));
      }
    }
    if (parsed.sslContext != null && parsed.baseUrls.stream().noneMatch(url -> url.getScheme().equals("https"))) {
      log.warn("vaultwire: the parameter \"{}\" has no effect with http URLs", ProviderSettings.CA_FILE);
    }
    HttpClient.Builder builder = HttpClient.newBuilder()
        // HTTP/1.1: no h2c upgrade attempt on http, which some servers refuse.
        .version(HttpClient.Version.HTTP_1_1)
        // A redirect would be a misconfiguration; never follow one with the token.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(parsed.timeout.compareTo(parsed.connectTimeout) < 0 ? parsed.timeout : parsed.connectTimeout);
    if (parsed.sslContext != null) {
      builder.sslContext(parsed.sslContext);
    }
    this.client = builder.build();
    String host = ProviderSettings.sanitizedWorkerId(hostName.get());
    this.userAgent = "vaultwire-config-provider/" + VERSION + " (worker " + host + ")";
    synchronized (circuit) {
      circuit.down = false;
      circuit.openUntil = 0;
    }
    preferred.set(0);
    this.settings = parsed;
    log.info("vaultwire: config provider ready for cluster {} at {} as worker {} (deadline {} ms, {} ms without a "
        + "Retry-After, cool-down {} ms when unreachable, up to {} retries, token from {})",
        parsed.cluster, parsed.baseUrls.size() == 1 ? parsed.baseUrls.get(0) : parsed.baseUrls, parsed.workerId,
        parsed.timeout.toMillis(), parsed.unreachableTimeout.toMillis(), parsed.unreachableCooldown.toMillis(),
        parsed.retries, parsed.tokenFile != null ? "file " + parsed.tokenFile : "the worker config");
  }

  /** vaultwire serves named keys only: {@code ${vaultwire:<connector id>:<config key>}}. */
  @Override
  public ConfigData get(String path) {
    throw new ConfigException("vaultwire: a placeholder must name the config key: ${vaultwire:<connector id>:<config key>}"
        + (path == null ? "" : " (connector " + path + ")"));
  }

  @Override
  public ConfigData get(String path, Set<String> keys) {
    ProviderSettings current = settings;
    HttpClient http = client;
    if (current == null || http == null) {
      throw new ConfigException("vaultwire: the config provider was not configured");
    }
    if (path == null || !CONNECTOR_ID.matcher(path).matches()) {
      throw new ConfigException("vaultwire: a placeholder must be ${vaultwire:<connector id>:<config key>} with a "
          + "connector id such as lcc-abc123" + (path == null || path.isEmpty() ? "" : ", not \"" + oneLine(path, 130) + "\""));
    }
    if (keys == null || keys.isEmpty()) {
      return new ConfigData(new HashMap<>());
    }
    TreeSet<String> sorted = new TreeSet<>();
    for (String key : keys) {
      if (key == null || key.isEmpty() || key.indexOf(',') >= 0 || hasControlCharacter(key)) {
        throw new ConfigException("vaultwire: connector " + path + " has a placeholder whose config key is empty or "
            + "contains a comma or a control character");
      }
      sorted.add(key);
    }
    List<String> encodedKeys = new ArrayList<>();
    for (String key : sorted) {
      encodedKeys.add(percentEncode(key));
    }
    String suffix = "/internal/v1/clusters/" + percentEncode(current.cluster) + "/connectors/" + percentEncode(path)
        + "/secrets?keys=" + String.join(",", encodedKeys);
    Map<String, String> values = fetch(http, current, suffix, path, sorted);
    return new ConfigData(values);
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons and end with it.
    client = null;
  }

  /**
   * Asks the URLs in turn, starting from the last one that answered, until one gives the values or a
   * definitive refusal. Rounds over all URLs repeat with backoff: up to {@code timeout.ms} while some
   * answer says "try again soon" (429, 503 with Retry-After), else only within
   * {@code unreachable.timeout.ms} of the start. The failure messages begin with "vaultwire: could not
   * fetch the secrets of connector" and name the cause in words vaultwire's reconciler matches
   * (src/runtime/kafka-connect/reconciler.ts, PROVIDER_UNREACHABLE) to restart what failed once
   * vaultwire is back: keep those words.
   */
  private Map<String, String> fetch(HttpClient http, ProviderSettings current, String suffix, String connector,
      Set<String> keys) {
    long started = clock.nanoTime();
    refuseWhileUnreachable(current, connector, started);
    long deadline = started + current.timeout.toNanos();
    long fastDeadline = started + current.unreachableTimeout.toNanos();
    List<URI> bases = current.baseUrls;
    int count = bases.size();
    String[] lastErrors = new String[count];
    boolean[] excluded = new boolean[count]; // a TLS failure does not heal by retrying
    String lastError = "the deadline passed before the first attempt";
    int attempts = 0;
    boolean soon = false;
    boolean pastDeadline = false;
    for (int round = 1; ; round++) {
      int first = preferred.get();
      boolean allUnreachable = true;
      boolean triedAny = false;
      // The first round asks every URL; later ones run to the deadline only after a "try again soon".
      long limit = round == 1 || soon ? deadline : earlier(deadline, fastDeadline);
      soon = false;
      long retryAfterMs = -1;
      for (int step = 0; step < count; step++) {
        int index = (first + step) % count;
        if (excluded[index]) {
          continue;
        }
        long now = clock.nanoTime();
        long remaining = limit - now;
        if (remaining <= 0) {
          pastDeadline = true;
          break;
        }
        URI base = bases.get(index);
        URI uri = URI.create(base + suffix);
        boolean requestBound = current.requestTimeout.toNanos() < remaining;
        Duration attemptTimeout = requestBound ? current.requestTimeout : Duration.ofNanos(remaining);
        attempts++;
        triedAny = true;
        Outcome outcome = attempt(http, current, uri, attemptTimeout, requestBound, connector, keys);
        if (outcome.answered) {
          reachable(current, index, connector);
        }
        if (outcome.body != null || outcome.refusal != null) {
          worked(current, index, lastErrors);
          if (outcome.refusal != null) {
            throw outcome.refusal;
          }
          Map<String, String> values = parseData(outcome.body, uri, keys);
          log.info("vaultwire: fetched {} secret(s) for connector {} in cluster {}: {} ({} attempt(s), {} ms)",
              values.size(), connector, current.cluster, keys, attempts, elapsedMs(started));
          return values;
        }
        lastError = outcome.error;
        lastErrors[index] = outcome.error;
        if (outcome.tls) {
          excluded[index] = true;
          if (count == 1) {
            throw new ConfigException("vaultwire: TLS error talking to " + base + ": " + outcome.error);
          }
        }
        allUnreachable &= outcome.unreachable;
        if (outcome.soon) {
          soon = true;
          if (outcome.retryAfterMs >= 0) {
            retryAfterMs = retryAfterMs < 0 ? outcome.retryAfterMs : Math.min(retryAfterMs, outcome.retryAfterMs);
          }
        }
        if (step + 1 < count) {
          log.debug("vaultwire: {} failed for connector {} ({}); trying the next URL", base, connector, outcome.error);
        }
      }
      if (triedAny && allUnreachable && !pastDeadline) {
        unreachable(current, lastErrors);
      }
      if (!triedAny || pastDeadline || round > current.retries) {
        break;
      }
      long waitMs = backoffMs(current, round);
      if (retryAfterMs >= 0) {
        waitMs = Math.max(waitMs, retryAfterMs);
      }
      long nextLimit = soon ? deadline : earlier(deadline, fastDeadline);
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(nextLimit - clock.nanoTime());
      if (waitMs >= remainingMs) {
        break; // sleeping past the limit would only delay the failure
      }
      String retrying = "vaultwire: attempt {} to fetch the secrets of connector {} failed ({}); retrying in {} ms";
      Object[] arguments = {attempts, connector, count == 1 ? lastError : summary(bases, lastErrors), waitMs};
      if (isDown()) {
        log.debug(retrying, arguments); // the outage was announced once, at WARN
      } else {
        log.info(retrying, arguments);
      }
      try {
        clock.sleep(waitMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigException("vaultwire: interrupted while fetching the secrets of connector " + connector);
      }
    }
    long bound = soon ? current.timeout.toMillis() : Math.min(current.timeout.toMillis(),
        current.unreachableTimeout.toMillis());
    String limitText = bound == current.timeout.toMillis() ? "deadline " + bound + " ms"
        : "retries without a Retry-After stop after " + bound + " ms, parameter \"" + ProviderSettings.UNREACHABLE_TIMEOUT_MS
            + "\"";
    String message = "vaultwire: could not fetch the secrets of connector " + connector + " from "
        + (count == 1 ? bases.get(0) + suffix : "any of " + bases + " (path " + suffix + ")") + " after " + attempts
        + " attempt(s) in " + elapsedMs(started) + " ms (" + limitText + "): "
        + (count == 1 ? lastError : summary(bases, lastErrors));
    if (isDown()) {
      log.debug(message); // the outage was announced once, at WARN
    } else {
      log.error(message);
    }
    throw new ConfigException(message);
  }

  /** The result of one request to one URL. */
  private static final class Outcome {
    /** Some HTTP answer came back: the URL is reachable. */
    boolean answered;
    /** The body of a 200. */
    String body;
    /** A definitive refusal (4xx): the replicas share one store, so no other URL is asked. */
    ConfigException refusal;
    String error;
    boolean unreachable;
    boolean soon;
    boolean tls;
    long retryAfterMs = -1;
  }

  private Outcome attempt(HttpClient http, ProviderSettings current, URI uri, Duration timeout, boolean requestBound,
      String connector, Set<String> keys) {
    Outcome outcome = new Outcome();
    try {
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(timeout)
          .header("Authorization", "Bearer " + current.bearerToken())
          .header("Accept", "application/json")
          .header("User-Agent", userAgent)
          .header(WORKER_HEADER, current.workerId)
          .GET()
          .build();
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      outcome.answered = true;
      String body = readBody(response);
      if (status == 200) {
        outcome.body = body;
      } else if (status == 408 || status == 429 || status >= 500) {
        outcome.error = "HTTP " + status + errorDetail(body);
        outcome.retryAfterMs = retryAfterMs(response);
        outcome.soon = status == 429 || (status == 503 && outcome.retryAfterMs >= 0);
      } else {
        String message = errorMessage(body);
        log.warn("vaultwire: vaultwire refused the secrets of connector {} ({}): HTTP {}{}", connector, keys, status,
            message == null ? "" : ": " + message);
        outcome.refusal = new ConfigException(message != null ? "vaultwire: " + message
            : "vaultwire: HTTP " + status + " from " + uri);
      }
    } catch (HttpConnectTimeoutException e) {
      outcome.error = "connect timeout";
      outcome.unreachable = true;
    } catch (HttpTimeoutException e) {
      outcome.error = requestBound ? "no answer within the deadline of one request (" + timeout.toMillis()
          + " ms, parameter \"" + ProviderSettings.REQUEST_TIMEOUT_MS + "\")" : "no answer within the deadline";
    } catch (ConnectException e) {
      outcome.error = "connection refused or unreachable" + (e.getCause() instanceof UnresolvedAddressException
          ? " (unknown host)" : "");
      outcome.unreachable = true;
    } catch (SSLException e) {
      // No secrets in a handshake error: say what the JVM said.
      outcome.error = oneLine(e.getMessage(), 300) + " (parameter \"" + ProviderSettings.CA_FILE
          + "\" sets the CA to trust)";
      outcome.tls = true;
    } catch (IOException e) {
      outcome.error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage(), 200));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("vaultwire: interrupted while fetching the secrets of connector " + connector);
    }
    return outcome;
  }

  /** A URL gave the values or a definitive refusal: later fetches ask it first (sticky). */
  private void worked(ProviderSettings current, int index, String[] errors) {
    int before = preferred.getAndSet(index);
    if (before != index) {
      String error = before < errors.length ? errors[before] : null;
      log.warn("vaultwire: secret fetches go to {} first now{}", current.baseUrls.get(index), error == null ? ""
          : " (" + current.baseUrls.get(before) + ": " + error + ")");
    }
  }

  /** Some URL gave an HTTP answer: vaultwire is reachable, so the circuit closes. */
  private void reachable(ProviderSettings current, int index, String connector) {
    synchronized (circuit) {
      if (circuit.down) {
        circuit.down = false;
        log.info("vaultwire: {} answers again after {} ms without a reachable vaultwire URL; fetching secrets again "
            + "(first for connector {})", current.baseUrls.get(index), elapsedMs(circuit.downSince), connector);
      }
    }
  }

  /** A round in which no URL accepted a connection: open the circuit for the cool-down, announcing it once. */
  private void unreachable(ProviderSettings current, String[] errors) {
    long now = clock.nanoTime();
    synchronized (circuit) {
      circuit.openUntil = now + current.unreachableCooldown.toNanos();
      circuit.lastRefusal = now;
      circuit.lastErrors = summary(current.baseUrls, errors);
      if (!circuit.down) {
        circuit.down = true;
        circuit.downSince = now;
        log.warn("vaultwire: no vaultwire URL accepts connections ({}); secret fetches fail{} until one does",
            circuit.lastErrors, current.unreachableCooldown.isZero() ? ""
                : " at once for " + current.unreachableCooldown.toMillis() + " ms after each refused round");
      }
    }
  }

  /**
   * Within the cool-down after every URL refused the connection: fail now, without an HTTP request or a
   * retry, unless a URL accepts a TCP connection again (one attempt per URL, {@link #CHECK_TIMEOUT_MS} at
   * most). The check matters: Connect leaves a connector or task that fails while it restarts it in
   * RESTARTING for good, and vaultwire restarts what failed as soon as it is back — which is exactly
   * when a circuit without it would still refuse.
   */
  private void refuseWhileUnreachable(ProviderSettings current, String connector, long now) {
    String message;
    synchronized (circuit) {
      if (!circuit.down || current.unreachableCooldown.isZero()) {
        return;
      }
      if (now - circuit.openUntil >= 0) {
        // The cool-down is over: this fetch tries for real; the others keep the quick check until it is done.
        circuit.openUntil = now + current.unreachableCooldown.toNanos() + current.unreachableTimeout.toNanos();
        return;
      }
      message = "vaultwire: could not fetch the secrets of connector " + connector + ": no vaultwire URL "
          + "accepted a connection " + TimeUnit.NANOSECONDS.toMillis(now - circuit.lastRefusal) + " ms ago ("
          + circuit.lastErrors + ") nor now; failing at once for up to " + current.unreachableCooldown.toMillis()
          + " ms after that (parameter \"" + ProviderSettings.UNREACHABLE_COOLDOWN_MS + "\")";
    }
    if (anyAcceptsConnections(current)) {
      return; // the fetch goes ahead; its first answer closes the circuit
    }
    log.debug(message);
    throw new ConfigException(message);
  }

  /** One TCP connection attempt per URL, no HTTP, no token: is anything listening again? */
  private static boolean anyAcceptsConnections(ProviderSettings current) {
    int timeoutMs = (int) Math.min(CHECK_TIMEOUT_MS, current.connectTimeout.toMillis());
    for (URI base : current.baseUrls) {
      String host = base.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = base.getPort() >= 0 ? base.getPort() : base.getScheme().equals("https") ? 443 : 80;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), timeoutMs);
        return true;
      } catch (IOException | RuntimeException e) {
        // still refused, unreachable or unknown
      }
    }
    return false;
  }

  private boolean isDown() {
    synchronized (circuit) {
      return circuit.down;
    }
  }

  private static String summary(List<URI> bases, String[] errors) {
    if (bases.size() == 1) {
      return errors[0] == null ? "" : errors[0];
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < bases.size(); i++) {
      if (errors[i] != null) {
        parts.add(bases.get(i) + ": " + errors[i]);
      }
    }
    return String.join("; ", parts);
  }

  private static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  /** Exponential backoff with equal jitter: half the step for sure, the other half at random. */
  private static long backoffMs(ProviderSettings current, int attempt) {
    long step = current.backoffMs;
    for (int i = 1; i < attempt && step < current.backoffMaxMs; i++) {
      step *= 2;
    }
    step = Math.min(step, current.backoffMaxMs);
    long half = step / 2;
    return half + ThreadLocalRandom.current().nextLong(step - half + 1);
  }

  private static long retryAfterMs(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(value -> {
      try {
        long seconds = Long.parseLong(value.trim());
        return seconds >= 0 ? seconds * 1000 : -1L;
      } catch (NumberFormatException e) {
        return -1L; // an HTTP date: fall back to the backoff
      }
    }).orElse(-1L);
  }

  private static String readBody(HttpResponse<InputStream> response) throws IOException {
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new IOException("response body larger than " + MAX_BODY_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** The 200 body: {@code {"data": {key: value}}} with a string for every requested key. */
  private static Map<String, String> parseData(String body, URI uri, Set<String> keys) {
    Object document;
    try {
      document = Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("vaultwire: the answer from " + uri + " is not JSON (" + e.getMessage() + ")");
    }
    Object data = document instanceof Map ? ((Map<?, ?>) document).get("data") : null;
    if (!(data instanceof Map)) {
      throw new ConfigException("vaultwire: the answer from " + uri + " has no \"data\" object");
    }
    Map<?, ?> entries = (Map<?, ?>) data;
    Map<String, String> values = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String key : keys) {
      Object value = entries.get(key);
      if (value instanceof String) {
        values.put(key, (String) value);
      } else {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      // Connect would leave the placeholder text in place, and a connector would try it as a password.
      throw new ConfigException("vaultwire: the answer from " + uri + " has no string value for " + missing);
    }
    return values;
  }

  /** The message of an error body {@code {"error": {"code", "message"}}}, or null. */
  private static String errorMessage(String body) {
    try {
      Object document = Json.parse(body);
      Object error = document instanceof Map ? ((Map<?, ?>) document).get("error") : null;
      Object message = error instanceof Map ? ((Map<?, ?>) error).get("message") : null;
      if (message instanceof String && !((String) message).isBlank()) {
        return oneLine((String) message, 1000);
      }
    } catch (IllegalArgumentException e) {
      // not vaultwire's error shape
    }
    return null;
  }

  private static String errorDetail(String body) {
    String message = errorMessage(body);
    return message == null ? "" : " (" + message + ")";
  }

  private static String oneLine(String text, int max) {
    if (text == null) {
      return "";
    }
    String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() > max ? line.substring(0, max) + "…" : line;
  }

  private static boolean hasControlCharacter(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters, over UTF-8. */
  static String percentEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** The jar's version, from a resource Maven fills in; "dev" when run from unfiltered sources. */
  private static String version() {
    try (InputStream in = VaultwireConfigProvider.class.getResourceAsStream("provider.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "");
        if (version.matches("[0-9A-Za-z.+_-]{1,64}")) {
          return version;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "dev";
  }

  private long elapsedMs(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startedNanos);
  }
}
