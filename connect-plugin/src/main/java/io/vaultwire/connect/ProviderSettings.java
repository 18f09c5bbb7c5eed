package io.vaultwire.connect;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The provider's parameters, checked once at {@code configure} time. Connect
 * passes {@code config.providers.<alias>.param.<name>} as {@code <name>}.
 *
 * <ul>
 *   <li>{@code url} (required): vaultwire's base URL; https, or http on a loopback host only.
 *   <li>{@code cluster} (required): the Kafka cluster id ({@code lkc-…}) the worker belongs to.
 *   <li>{@code token} or {@code token.file} (exactly one): the cluster's worker token, sent as
 *       {@code Authorization: Bearer}. A token file is read again on every fetch, so rotating it
 *       needs no worker restart.
 *   <li>{@code ca.file}: PEM certificate(s) to trust for https instead of the JVM's CAs.
 *   <li>{@code timeout.ms} (default 30000): deadline of one fetch, retries included.
 *   <li>{@code retries} (default 10): retries after the first attempt (5xx, 408, 429, connection
 *       errors), each also bounded by the deadline.
 *   <li>{@code retry.backoff.ms} (default 200) and {@code retry.backoff.max.ms} (default 5000):
 *       the exponential backoff's first and largest wait, before jitter.
 * </ul>
 */
final class ProviderSettings {
  static final String URL = "url";
  static final String CLUSTER = "cluster";
  static final String TOKEN = "token";
  static final String TOKEN_FILE = "token.file";
  static final String CA_FILE = "ca.file";
  static final String TIMEOUT_MS = "timeout.ms";
  static final String RETRIES = "retries";
  static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";

  static final Set<String> KNOWN = Set.of(URL, CLUSTER, TOKEN, TOKEN_FILE, CA_FILE, TIMEOUT_MS, RETRIES,
      RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS);

  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  final URI baseUrl;
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

  private ProviderSettings(URI baseUrl, String cluster, String token, Path tokenFile, SSLContext sslContext,
      Duration timeout, int retries, long backoffMs, long backoffMaxMs) {
    this.baseUrl = baseUrl;
    this.cluster = cluster;
    this.token = token;
    this.tokenFile = tokenFile;
    this.sslContext = sslContext;
    this.timeout = timeout;
    this.retries = retries;
    this.backoffMs = backoffMs;
    this.backoffMaxMs = backoffMaxMs;
  }

  static ProviderSettings parse(Map<String, ?> configs) {
    URI baseUrl = parseUrl(required(configs, URL));
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
    return new ProviderSettings(baseUrl, cluster, token, tokenFile, sslContext, Duration.ofMillis(timeoutMs),
        retries, backoffMs, backoffMaxMs);
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

  private static URI parseUrl(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(URL, "is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!scheme.equals("http") && !scheme.equals("https") || host == null) {
      throw invalid(URL, "must be an http(s) URL with a host, such as https://vaultwire.example.com");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid(URL, "must have no user info, query or fragment");
    }
    if (scheme.equals("http") && !isLoopback(host)) {
      throw invalid(URL, "must use https unless the host is a loopback address (localhost, 127.0.0.1, [::1])");
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
