package io.vaultwire.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * config.providers.vaultwire.param.url=https://vaultwire.example.com
 * config.providers.vaultwire.param.cluster=lkc-abc123
 * config.providers.vaultwire.param.token.file=/etc/kafka-connect/vaultwire-token
 * </pre>
 * (parameters: see {@link ProviderSettings}).
 *
 * <p>{@code get(path, keys)} calls
 * {@code GET {url}/internal/v1/clusters/{cluster}/connectors/{path}/secrets?keys=k1,k2}
 * with the worker's bearer token. 200 {@code {"data": {key: value}}} gives the
 * values (no TTL); 4xx {@code {"error": {"code", "message"}}} fails at once with
 * {@code "vaultwire: " + message}, which Connect shows in the task's trace;
 * 5xx, 408, 429 and connection errors are retried with exponential backoff and
 * jitter until the retries or the deadline run out.
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
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private volatile ProviderSettings settings;
  private volatile HttpClient client;

  /** Connect instantiates providers reflectively. */
  public VaultwireConfigProvider() {
  }

  @Override
  public void configure(Map<String, ?> configs) {
    ProviderSettings parsed = ProviderSettings.parse(configs);
    for (String name : configs.keySet()) {
      if (!ProviderSettings.KNOWN.contains(name)) {
        log.warn("vaultwire: ignoring the unknown parameter \"{}\" (known: {})", name, new TreeSet<>(ProviderSettings.KNOWN));
      }
    }
    if (parsed.sslContext != null && parsed.baseUrl.getScheme().equals("http")) {
      log.warn("vaultwire: the parameter \"{}\" has no effect with an http URL", ProviderSettings.CA_FILE);
    }
    HttpClient.Builder builder = HttpClient.newBuilder()
        // HTTP/1.1: no h2c upgrade attempt on http, which some servers refuse.
        .version(HttpClient.Version.HTTP_1_1)
        // A redirect would be a misconfiguration; never follow one with the token.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(parsed.timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? parsed.timeout : MAX_CONNECT_TIMEOUT);
    if (parsed.sslContext != null) {
      builder.sslContext(parsed.sslContext);
    }
    this.client = builder.build();
    this.settings = parsed;
    log.info("vaultwire: config provider ready for cluster {} at {} (deadline {} ms, up to {} retries, token from {})",
        parsed.cluster, parsed.baseUrl, parsed.timeout.toMillis(), parsed.retries,
        parsed.tokenFile != null ? "file " + parsed.tokenFile : "the worker config");
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
    URI uri = URI.create(current.baseUrl + "/internal/v1/clusters/" + percentEncode(current.cluster)
        + "/connectors/" + percentEncode(path) + "/secrets?keys=" + String.join(",", encodedKeys));
    Map<String, String> values = fetch(http, current, uri, path, sorted);
    return new ConfigData(values);
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons and end with it.
    client = null;
  }

  private Map<String, String> fetch(HttpClient http, ProviderSettings current, URI uri, String connector,
      Set<String> keys) {
    long started = System.nanoTime();
    long deadline = started + current.timeout.toNanos();
    String lastError = "the deadline passed before the first attempt";
    int attempt = 0;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      attempt++;
      long retryAfterMs = -1;
      try {
        HttpRequest request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofNanos(remaining))
            .header("Authorization", "Bearer " + current.bearerToken())
            .header("Accept", "application/json")
            .header("User-Agent", "vaultwire-config-provider")
            .GET()
            .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        String body = readBody(response);
        if (status == 200) {
          Map<String, String> values = parseData(body, uri, keys);
          log.info("vaultwire: fetched {} secret(s) for connector {} in cluster {}: {} ({} attempt(s), {} ms)",
              values.size(), connector, current.cluster, keys, attempt, elapsedMs(started));
          return values;
        }
        if (status == 408 || status == 429 || status >= 500) {
          lastError = "HTTP " + status + errorDetail(body);
          retryAfterMs = retryAfterMs(response);
        } else {
          String message = errorMessage(body);
          log.warn("vaultwire: vaultwire refused the secrets of connector {} ({}): HTTP {}{}", connector, keys, status,
              message == null ? "" : ": " + message);
          throw new ConfigException(message != null ? "vaultwire: " + message
              : "vaultwire: HTTP " + status + " from " + uri);
        }
      } catch (HttpConnectTimeoutException e) {
        lastError = "connect timeout";
      } catch (HttpTimeoutException e) {
        lastError = "no answer within the deadline";
      } catch (ConnectException e) {
        lastError = "connection refused or unreachable" + (e.getCause() instanceof UnresolvedAddressException
            ? " (unknown host)" : "");
      } catch (SSLException e) {
        // A TLS failure does not heal by retrying: fail now with what the JVM said (no secrets in a handshake error).
        throw new ConfigException("vaultwire: TLS error talking to " + current.baseUrl + ": " + oneLine(e.getMessage(), 300)
            + " (parameter \"" + ProviderSettings.CA_FILE + "\" sets the CA to trust)");
      } catch (IOException e) {
        lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage(), 200));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigException("vaultwire: interrupted while fetching the secrets of connector " + connector);
      }

      if (attempt > current.retries) {
        break;
      }
      long waitMs = backoffMs(current, attempt);
      if (retryAfterMs >= 0) {
        waitMs = Math.max(waitMs, retryAfterMs);
      }
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (waitMs >= remainingMs) {
        break; // sleeping past the deadline would only delay the failure
      }
      log.warn("vaultwire: attempt {} to fetch the secrets of connector {} failed ({}); retrying in {} ms", attempt,
          connector, lastError, waitMs);
      try {
        Thread.sleep(waitMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigException("vaultwire: interrupted while fetching the secrets of connector " + connector);
      }
    }
    String message = "vaultwire: could not fetch the secrets of connector " + connector + " from " + uri + " after "
        + attempt + " attempt(s) in " + elapsedMs(started) + " ms (deadline " + current.timeout.toMillis()
        + " ms): " + lastError;
    log.error(message);
    throw new ConfigException(message);
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

  private static long elapsedMs(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }
}
