package io.vaultwire.connect;

import static io.vaultwire.connect.FakeVaultwire.Answer;
import static io.vaultwire.connect.FakeVaultwire.dataBody;
import static io.vaultwire.connect.FakeVaultwire.errorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VaultwireConfigProviderTest {
  private static final String CLUSTER = "lkc-test01";
  private static final String CONNECTOR = "lcc-abc123";
  private static final String TOKEN = "vwt_worker-token.123";
  /** A value that must never appear in a log line or an exception. */
  private static final String CANARY = "canary-Zq9!pW\"s3cr3t";

  private FakeVaultwire server;
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private VaultwireConfigProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = new FakeVaultwire();
    originalErr = System.err;
    // slf4j-simple (test scope) writes to the current System.err: capture everything the provider logs.
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    if (provider != null) {
      provider.close();
    }
    server.close();
  }

  private Map<String, String> params(String... extra) {
    Map<String, String> params = new HashMap<>();
    params.put("url", server.url());
    params.put("cluster", CLUSTER);
    params.put("token", TOKEN);
    params.put("retry.backoff.ms", "10");
    params.put("retry.backoff.max.ms", "40");
    for (int i = 0; i < extra.length; i += 2) {
      if (extra[i + 1] == null) {
        params.remove(extra[i]);
      } else {
        params.put(extra[i], extra[i + 1]);
      }
    }
    return params;
  }

  private VaultwireConfigProvider configured(String... extra) {
    provider = new VaultwireConfigProvider();
    provider.configure(params(extra));
    return provider;
  }

  private String logged() {
    return logs.toString(StandardCharsets.UTF_8);
  }

  @Test
  void fetchesNamedKeysWithTheBearerToken() {
    server.script((request, n) -> Answer.json(200, dataBody("database.password", "pw-1", "database.user", "cdc")));
    ConfigData data = configured().get(CONNECTOR, Set.of("database.password", "database.user"));

    assertEquals(Map.of("database.password", "pw-1", "database.user", "cdc"), data.data());
    assertNull(data.ttl(), "no TTL: a constant TTL would restart connectors for nothing");
    FakeVaultwire.Request request = server.requests().get(0);
    assertEquals("GET", request.method());
    assertEquals("/internal/v1/clusters/lkc-test01/connectors/lcc-abc123/secrets", request.rawPath());
    assertEquals("keys=database.password,database.user", request.rawQuery());
    assertEquals("Bearer " + TOKEN, request.authorization());
    assertEquals("application/json", request.accept());
    assertTrue(logged().contains("fetched 2 secret(s) for connector lcc-abc123 in cluster lkc-test01: "
        + "[database.password, database.user]"), logged());
  }

  @Test
  void keepsAPathPrefixOfTheBaseUrl() {
    server.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    configured("url", server.url() + "/vaultwire/").get(CONNECTOR, Set.of("k"));
    assertEquals("/vaultwire/internal/v1/clusters/lkc-test01/connectors/lcc-abc123/secrets",
        server.requests().get(0).rawPath());
  }

  @Test
  void percentEncodesEveryKey() {
    Set<String> keys = new LinkedHashSet<>(List.of("a b", "x/y", "p+q&r=s", "ünï", "100%", "database.password"));
    server.script((request, n) -> {
      String[] pairs = new String[request.keys().size() * 2];
      for (int i = 0; i < request.keys().size(); i++) {
        pairs[2 * i] = request.keys().get(i);
        pairs[2 * i + 1] = "value of " + request.keys().get(i);
      }
      return Answer.json(200, dataBody(pairs));
    });
    ConfigData data = configured().get(CONNECTOR, keys);

    FakeVaultwire.Request request = server.requests().get(0);
    assertEquals("keys=100%25,a%20b,database.password,p%2Bq%26r%3Ds,x%2Fy,%C3%BCn%C3%AF", request.rawQuery());
    assertEquals(FakeVaultwire.sorted(keys.toArray(new String[0])), request.keys());
    assertEquals("value of x/y", data.data().get("x/y"));
    assertEquals(keys, data.data().keySet());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "401|the worker token is not valid for cluster lkc-test01",
      "403|the worker token of cluster lkc-other may not read connectors of cluster lkc-test01",
      "404|connector lcc-abc123 does not exist in cluster lkc-test01",
      "422|database.password: the secret https://v.vault.azure.net/secrets/db is disabled in Key Vault",
  })
  void failsAtOnceWithVaultwiresMessageOnA4xx(int status, String message) {
    server.script((request, n) -> Answer.json(status, errorBody(status, message)));
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured().get(CONNECTOR, Set.of("database.password")));
    assertEquals("vaultwire: " + message, e.getMessage());
    assertEquals(1, server.calls(), "a 4xx is not retried");
  }

  @Test
  void namesTheStatusWhenA4xxBodyIsNotVaultwires() {
    server.script((request, n) -> Answer.json(400, "<html>bad request</html>"));
    ConfigException e = assertThrows(ConfigException.class, () -> configured().get(CONNECTOR, Set.of("k")));
    assertTrue(e.getMessage().startsWith("vaultwire: HTTP 400 from " + server.url() + "/internal/v1/"), e.getMessage());
  }

  @Test
  void retriesA503ThenSucceeds() {
    server.script((request, n) -> n < 3
        ? Answer.json(503, errorBody(503, "the secret manager is unavailable"))
        : Answer.json(200, dataBody("database.password", "pw")));
    ConfigData data = configured().get(CONNECTOR, Set.of("database.password"));
    assertEquals("pw", data.data().get("database.password"));
    assertEquals(3, server.calls());
    assertTrue(logged().contains("attempt 1 to fetch the secrets of connector lcc-abc123 failed (HTTP 503 (the secret "
        + "manager is unavailable))"), logged());
    assertTrue(logged().contains("(3 attempt(s)"), logged());
  }

  @Test
  void retriesA429AfterItsRetryAfter() {
    server.script((request, n) -> n == 1 ? new Answer(429, errorBody(429, "slow down"), 0, "0")
        : Answer.json(200, dataBody("k", "v")));
    assertEquals("v", configured().get(CONNECTOR, Set.of("k")).data().get("k"));
    assertEquals(2, server.calls());
  }

  @Test
  void givesUpAtTheDeadlineNamingTheUrlAndTheLastError() {
    server.script((request, n) -> Answer.json(503, errorBody(503, "key vault throttled")));
    long started = System.nanoTime();
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured("timeout.ms", "600", "retries", "1000").get(CONNECTOR, Set.of("k")));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(elapsedMs < 3_000, "took " + elapsedMs + " ms");
    assertTrue(server.calls() > 2, "retried: " + server.calls());
    assertTrue(e.getMessage().startsWith("vaultwire: could not fetch the secrets of connector lcc-abc123 from "
        + server.url() + "/internal/v1/clusters/lkc-test01/connectors/lcc-abc123/secrets?keys=k after "), e.getMessage());
    // The last error is the 503, unless the deadline cut the last attempt short (a busy machine).
    assertTrue(e.getMessage().endsWith("(deadline 600 ms): HTTP 503 (key vault throttled)")
        || e.getMessage().endsWith("(deadline 600 ms): no answer within the deadline"), e.getMessage());
  }

  @Test
  void aSlowAnswerIsCutAtTheDeadline() {
    server.script((request, n) -> new Answer(200, dataBody("k", "v"), 3_000, null));
    long started = System.nanoTime();
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured("timeout.ms", "500").get(CONNECTOR, Set.of("k")));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(elapsedMs < 2_000, "took " + elapsedMs + " ms");
    assertTrue(e.getMessage().endsWith("no answer within the deadline"), e.getMessage());
  }

  @Test
  void stopsAfterTheConfiguredRetries() {
    server.script((request, n) -> Answer.json(500, "{}"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured("retries", "2").get(CONNECTOR, Set.of("k")));
    assertEquals(3, server.calls());
    assertTrue(e.getMessage().contains("after 3 attempt(s)"), e.getMessage());
  }

  @Test
  void retriesARefusedConnection() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured("url", "http://127.0.0.1:" + closedPort, "retries", "2").get(CONNECTOR, Set.of("k")));
    assertTrue(e.getMessage().contains("after 3 attempt(s)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("connection refused or unreachable"), e.getMessage());
  }

  @Test
  void readsTheTokenFileOnEveryFetch(@TempDir Path dir) throws IOException {
    Path tokenFile = dir.resolve("worker-token");
    Files.writeString(tokenFile, "first-token\n");
    server.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    configured("token", null, "token.file", tokenFile.toString());

    provider.get(CONNECTOR, Set.of("k"));
    Files.writeString(tokenFile, "rotated-token");
    provider.get(CONNECTOR, Set.of("k"));

    assertEquals("Bearer first-token", server.requests().get(0).authorization());
    assertEquals("Bearer rotated-token", server.requests().get(1).authorization());
    assertFalse(logged().contains("first-token") || logged().contains("rotated-token"), "the token is never logged");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "url|NULL|the parameter \"url\" is required",
      "cluster|NULL|the parameter \"cluster\" is required",
      "token|NULL|set exactly one of the parameters \"token\" and \"token.file\"",
      "token.file|/tmp/also-a-token|set exactly one of the parameters \"token\" and \"token.file\"",
      "url|http://vaultwire.example.com|must use https unless the host is a loopback address",
      "url|ftp://127.0.0.1/|must be an http(s) URL with a host",
      "url|https://127.0.0.1/?x=1|must have no user info, query or fragment",
      "cluster|lkc/../admin|must be a cluster id",
      "timeout.ms|0|the parameter \"timeout.ms\" must be between 1 and 3600000",
      "timeout.ms|soon|the parameter \"timeout.ms\" must be a whole number",
      "retries|-1|the parameter \"retries\" must be between 0 and 1000",
      "ca.file|/nonexistent/ca.pem|the parameter \"ca.file\" cannot be read",
  })
  void rejectsBadParametersAtConfigureTime(String name, String value, String expected) {
    VaultwireConfigProvider fresh = new VaultwireConfigProvider();
    ConfigException e = assertThrows(ConfigException.class, () -> fresh.configure(params(name, value)));
    assertTrue(e.getMessage().startsWith("vaultwire: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void rejectsAMissingTokenFileAtConfigureTime(@TempDir Path dir) {
    VaultwireConfigProvider fresh = new VaultwireConfigProvider();
    ConfigException e = assertThrows(ConfigException.class,
        () -> fresh.configure(params("token", null, "token.file", dir.resolve("absent").toString())));
    assertTrue(e.getMessage().startsWith("vaultwire: cannot read the token file "), e.getMessage());
  }

  @Test
  void acceptsHttpsAnywhereAndHttpOnLoopback() {
    for (String url : List.of("https://vaultwire.example.com", "http://localhost:8080", "http://127.0.0.2:1",
        "http://[::1]:8080")) {
      new VaultwireConfigProvider().configure(params("url", url));
    }
  }

  @Test
  void aPlaceholderWithoutAKeyIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> configured().get(CONNECTOR));
    assertTrue(e.getMessage().contains("${vaultwire:<connector id>:<config key>}"), e.getMessage());
    assertEquals(0, server.calls());
  }

  @Test
  void aPathThatIsNotAConnectorIdIsRefused() {
    configured();
    assertThrows(ConfigException.class, () -> provider.get("../../admin", Set.of("k")));
    assertThrows(ConfigException.class, () -> provider.get(null, Set.of("k")));
    assertThrows(ConfigException.class, () -> provider.get(CONNECTOR, Set.of("a,b")));
    assertEquals(0, server.calls());
  }

  @Test
  void aMissingKeyInTheAnswerFailsInsteadOfLeavingThePlaceholder() {
    server.script((request, n) -> Answer.json(200, dataBody("database.password", CANARY)));
    ConfigException e = assertThrows(ConfigException.class,
        () -> configured().get(CONNECTOR, Set.of("database.password", "database.user")));
    assertTrue(e.getMessage().endsWith("has no string value for [database.user]"), e.getMessage());
    assertFalse(e.getMessage().contains(CANARY));
  }

  @Test
  void valuesNeverReachALogLineOrAnException() {
    Map<String, Throwable> failures = new HashMap<>();
    List<String> bodies = List.of(
        dataBody("database.password", CANARY), // success
        "{\"data\":{\"database.password\":\"" + CANARY, // truncated
        "{\"data\":{\"database.password\":\"" + CANARY + "\"}} trailing", // trailing garbage
        "{\"data\":{\"other\":\"" + CANARY + "\"}}", // the wrong key
        "{\"data\":[\"" + CANARY + "\"]}", // the wrong shape
        "{\"data\":{\"database.password\":{\"nested\":\"" + CANARY + "\"}}}"); // not a string
    for (String body : bodies) {
      server.script((request, n) -> Answer.json(200, body));
      try {
        ConfigData data = configured().get(CONNECTOR, Set.of("database.password"));
        assertEquals(CANARY, data.data().get("database.password"));
      } catch (ConfigException e) {
        failures.put(body, e);
      }
    }
    // A 5xx whose body carries a value in another field, until the deadline.
    server.script((request, n) -> Answer.json(503, "{\"data\":{\"database.password\":\"" + CANARY + "\"}}"));
    failures.put("503", assertThrows(ConfigException.class,
        () -> configured("retries", "1").get(CONNECTOR, Set.of("database.password"))));

    assertEquals(bodies.size(), failures.size(), "every body but the first fails, plus the 503");
    for (Throwable failure : failures.values()) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(CANARY), t.getMessage());
      }
    }
    assertFalse(logged().isEmpty(), "the provider logged something");
    assertFalse(logged().contains(CANARY), "no value in the logs");
    assertFalse(logged().contains("s3cr3t"), "no part of a value in the logs");
  }

  @Test
  void isFoundThroughItsServiceManifest() {
    boolean found = false;
    for (ConfigProvider candidate : ServiceLoader.load(ConfigProvider.class)) {
      found |= candidate instanceof VaultwireConfigProvider;
    }
    assertTrue(found, "META-INF/services/org.apache.kafka.common.config.provider.ConfigProvider lists the provider");
  }
}
