package io.vaultwire.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The provider's parameters, checked once at {@code configure} time. Connect
 * passes {@code config.providers.<alias>.param.<name>} as {@code <name>}.
 *
 * <ul>
 *   <li>{@code url} or {@code urls} (exactly one): vaultwire's base URL, or several (comma-separated,
 *       one per replica) to fail over between; each https, or http on a loopback host only.
 *   <li>{@code cluster} (required): the Kafka cluster id ({@code lkc-…}) the worker belongs to.
 *   <li>{@code token} or {@code token.file} (exactly one): the cluster's worker token, sent as
 *       {@code Authorization: Bearer}. A token file is read again on every fetch, so rotating it
 *       needs no worker restart.
 *   <li>{@code ca.file}: PEM certificate(s) to trust for https instead of the JVM's CAs.
 *   <li>{@code timeout.ms} (default 30000): deadline of one fetch, retries included; only answers
 *       that say "try again soon" (429, 503 with Retry-After) are retried up to it.
 *   <li>{@code unreachable.timeout.ms} (default 2000): every other retryable failure (connection
 *       refused or timed out, 5xx, 408, no answer) is retried only while this much time has passed
 *       since the fetch began; the first round over all URLs always happens.
 *   <li>{@code unreachable.cooldown.ms} (default 5000; 0 turns it off): after a round in which every
 *       URL refused the connection, fetches fail at once for this long, without an HTTP request,
 *       unless one URL accepts a TCP connection again.
 *   <li>{@code connect.timeout.ms} (default 1000) and {@code request.timeout.ms} (default 10000):
 *       one attempt's bounds for the TCP/TLS connection and for the whole answer.
 *   <li>{@code retries} (default 10): rounds after the first (a round tries every URL once), each
 *       also bounded by the deadlines above.
 *   <li>{@code retry.backoff.ms} (default 200) and {@code retry.backoff.max.ms} (default 5000):
 *       the exponential backoff's first and largest wait between rounds, before jitter.
 *   <li>{@code worker.id} (default: the host name): names the worker to vaultwire's audit, in the
 *       {@code X-Vaultwire-Worker} header.
 * </ul>
 */
final class ProviderSettings {
  static final String URL = "url";
  static final String URLS = "urls";
  static final String CLUSTER = "cluster";
  static final String TOKEN = "token";
  static final String TOKEN_FILE = "token.file";
  static final String CA_FILE = "ca.file";
  static final String TIMEOUT_MS = "timeout.ms";
  static final String RETRIES = "retries";
  static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
  static final String UNREACHABLE_TIMEOUT_MS = "unreachable.timeout.ms";
  static final String UNREACHABLE_COOLDOWN_MS = "unreachable.cooldown.ms";
  static final String CONNECT_TIMEOUT_MS = "connect.timeout.ms";
  static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
  static final String WORKER_ID = "worker.id";

  static final Set<String> KNOWN = Set.of(URL, URLS, CLUSTER, TOKEN, TOKEN_FILE, CA_FILE, TIMEOUT_MS, RETRIES,
      RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS, UNREACHABLE_TIMEOUT_MS, UNREACHABLE_COOLDOWN_MS, CONNECT_TIMEOUT_MS,
      REQUEST_TIMEOUT_MS, WORKER_ID);

  /** More replicas than this is a misconfiguration, not a deployment. */
  static final int MAX_URLS = 16;

  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  /** Header- and log-safe: a host name, an IP address with a port, a Connect worker id. */
  private static final Pattern WORKER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  /** One or more base URLs, in the order given, without a trailing slash. */
  final List<URI> baseUrls;
  final String cluster;
  /** The token given inline, or null when it comes from {@link #tokenFile}. */
  private final String token;
  final Path tokenFile;
  /** Null: the JVM's default trust. */
  final SSLContext sslContext;
  final Duration timeout;
  final int retries;
  final long backoffMs;
  final long backoffMaxMs;
  final Duration unreachableTimeout;
  /** Zero: no circuit. */
  final Duration unreachableCooldown;
  final Duration connectTimeout;
  final Duration requestTimeout;
  final String workerId;

  private ProviderSettings(List<URI> baseUrls, String cluster, String token, Path tokenFile, SSLContext sslContext,
      Duration timeout, int retries, long backoffMs, long backoffMaxMs, Duration unreachableTimeout,
      Duration unreachableCooldown, Duration connectTimeout, Duration requestTimeout, String workerId) {
    this.baseUrls = List.copyOf(baseUrls);
    this.cluster = cluster;
    this.token = token;
    this.tokenFile = tokenFile;
    this.sslContext = sslContext;
    this.timeout = timeout;
    this.retries = retries;
    this.backoffMs = backoffMs;
    this.backoffMaxMs = backoffMaxMs;
    this.unreachableTimeout = unreachableTimeout;
    this.unreachableCooldown = unreachableCooldown;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.workerId = workerId;
  }

  static ProviderSettings parse(Map<String, ?> configs) {
    return parse(configs, ProviderSettings::localHostName);
  }

  static ProviderSettings parse(Map<String, ?> configs, Supplier<String> hostName) {
    List<URI> baseUrls = parseUrls(configs);
    String cluster = required(configs, CLUSTER);
    if (!CLUSTER_ID.matcher(cluster).matches()) {
      throw invalid(CLUSTER, "must be a cluster id such as lkc-abc123 (letters, digits, - and _)");
    }
    String token = optional(configs, TOKEN);
    String tokenFileName = optional(configs, TOKEN_FILE);
    if ((token == null) == (tokenFileName == null)) {
      throw new ConfigException("vaultwire: set exactly one of the parameters \"" + TOKEN + "\" and \"" + TOKEN_FILE
          + "\" (config.providers.<alias>.param." + TOKEN + " or ." + TOKEN_FILE + ")");
    }
    Path tokenFile = null;
    if (token != null) {
      checkToken(token, TOKEN);
    } else {
      tokenFile = Path.of(tokenFileName);
      readTokenFile(tokenFile); // fail at start-up, not at the first connector
    }
    String caFile = optional(configs, CA_FILE);
    SSLContext sslContext = caFile == null ? null : trusting(Path.of(caFile));
    long timeoutMs = number(configs, TIMEOUT_MS, 30_000, 1, 3_600_000);
    int retries = (int) number(configs, RETRIES, 10, 0, 1_000);
    long backoffMs = number(configs, RETRY_BACKOFF_MS, 200, 1, 600_000);
    long backoffMaxMs = number(configs, RETRY_BACKOFF_MAX_MS, 5_000, 1, 600_000);
    if (backoffMaxMs < backoffMs) {
      throw invalid(RETRY_BACKOFF_MAX_MS, "must not be less than " + RETRY_BACKOFF_MS);
    }
    long unreachableTimeoutMs = number(configs, UNREACHABLE_TIMEOUT_MS, 2_000, 0, 3_600_000);
    long cooldownMs = number(configs, UNREACHABLE_COOLDOWN_MS, 5_000, 0, 3_600_000);
    long connectTimeoutMs = number(configs, CONNECT_TIMEOUT_MS, 1_000, 1, 600_000);
    long requestTimeoutMs = number(configs, REQUEST_TIMEOUT_MS, 10_000, 1, 3_600_000);
    String workerId = optional(configs, WORKER_ID);
    if (workerId == null) {
      workerId = sanitizedWorkerId(hostName.get());
    } else if (!WORKER.matcher(workerId).matches()) {
      throw invalid(WORKER_ID, "must be a host name or worker id: letters, digits, '.', '_', ':' and '-', up to 253");
    }
    return new ProviderSettings(baseUrls, cluster, token, tokenFile, sslContext, Duration.ofMillis(timeoutMs),
        retries, backoffMs, backoffMaxMs, Duration.ofMillis(unreachableTimeoutMs), Duration.ofMillis(cooldownMs),
        Duration.ofMillis(connectTimeoutMs), Duration.ofMillis(requestTimeoutMs), workerId);
  }

  /** {@code url} (one) or {@code urls} (comma-separated), exactly one of them; never quoted back (user info may hold a password). */
  private static List<URI> parseUrls(Map<String, ?> configs) {
    String single = optional(configs, URL);
    String several = optional(configs, URLS);
    if (single != null && several != null) {
      throw new ConfigException("vaultwire: set only one of the parameters \"" + URL + "\" (one vaultwire URL) and \""
          + URLS + "\" (several, comma-separated)");
    }
    if (single == null && several == null) {
      throw new ConfigException("vaultwire: the parameter \"" + URL + "\" is required (config.providers.<alias>.param."
          + URL + "), or \"" + URLS + "\" with several vaultwire URLs, comma-separated");
    }
    if (single != null) {
      return List.of(parseUrl(single, "the parameter \"" + URL + "\""));
    }
    String[] entries = several.split(",", -1);
    if (entries.length > MAX_URLS) {
      throw invalid(URLS, "lists " + entries.length + " URLs; at most " + MAX_URLS);
    }
    List<URI> urls = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      String what = "the parameter \"" + URLS + "\" (entry " + (i + 1) + " of " + entries.length + ")";
      String entry = entries[i].strip();
      if (entry.isEmpty()) {
        throw new ConfigException("vaultwire: " + what + " is empty");
      }
      URI url = parseUrl(entry, what);
      int previous = urls.indexOf(url);
      if (previous >= 0) {
        throw new ConfigException("vaultwire: " + what + " is the same URL as entry " + (previous + 1));
      }
      urls.add(url);
    }
    return urls;
  }

  /** The host name without a DNS lookup where the system says it (Linux), else the JVM's, else "unknown". */
  static String localHostName() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        name = null;
      }
    }
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException | RuntimeException e) {
        name = null;
      }
    }
    return name == null ? "" : name.strip();
  }

  static String sanitizedWorkerId(String name) {
    String cleaned = name == null ? "" : name.strip().replaceAll("[^A-Za-z0-9._:-]", "-");
    cleaned = cleaned.replaceAll("^[^A-Za-z0-9]+", "");
    if (cleaned.length() > 253) {
      cleaned = cleaned.substring(0, 253);
    }
    return cleaned.isEmpty() ? "unknown" : cleaned;
  }

  /** The bearer token: the inline one, or the token file's current content. */
  String bearerToken() {
    return token != null ? token : readTokenFile(tokenFile);
  }

  private static String readTokenFile(Path file) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("vaultwire: cannot read the token file " + file + " (parameter \"" + TOKEN_FILE
          + "\"): " + e.getClass().getSimpleName());
    }
    checkToken(content, TOKEN_FILE);
    return content;
  }

  private static void checkToken(String token, String parameter) {
    if (token.isEmpty()) {
      throw invalid(parameter, "is empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        // Never quote the token: say where, not what.
        throw invalid(parameter, "must be one line of printable ASCII without spaces (character " + (i + 1)
            + " is not)");
      }
    }
  }

  private static URI parseUrl(String value, String what) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException("vaultwire: " + what + " is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!scheme.equals("http") && !scheme.equals("https") || host == null) {
      throw new ConfigException("vaultwire: " + what
          + " must be an http(s) URL with a host, such as https://vaultwire.example.com");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException("vaultwire: " + what + " must have no user info, query or fragment");
    }
    if (scheme.equals("http") && !isLoopback(host)) {
      throw new ConfigException("vaultwire: " + what
          + " must use https unless the host is a loopback address (localhost, 127.0.0.1, [::1])");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    int port = uri.getPort();
    String authority = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
        + (port >= 0 ? ":" + port : "");
    return URI.create(scheme + "://" + authority + path);
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  private static SSLContext trusting(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw invalid(CA_FILE, "holds no PEM certificate: " + caFile);
      }
      KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
      trustStore.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        trustStore.setCertificateEntry("vaultwire-ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trustStore);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw invalid(CA_FILE, "cannot be read: " + caFile + " (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw invalid(CA_FILE, "is not a PEM certificate file: " + caFile + " (" + e.getMessage() + ")");
    }
  }

  private static String required(Map<String, ?> configs, String name) {
    String value = optional(configs, name);
    if (value == null) {
      throw new ConfigException("vaultwire: the parameter \"" + name + "\" is required (config.providers.<alias>.param."
          + name + ")");
    }
    return value;
  }

  private static String optional(Map<String, ?> configs, String name) {
    Object value = configs.get(name);
    if (value == null) {
      return null;
    }
    String text = value.toString().strip();
    return text.isEmpty() ? null : text;
  }

  private static long number(Map<String, ?> configs, String name, long fallback, long min, long max) {
    String value = optional(configs, name);
    if (value == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw invalid(name, "must be a whole number");
    }
    if (parsed < min || parsed > max) {
      throw invalid(name, "must be between " + min + " and " + max);
    }
    return parsed;
  }

  private static ConfigException invalid(String name, String problem) {
    return new ConfigException("vaultwire: the parameter \"" + name + "\" " + problem);
  }
}
