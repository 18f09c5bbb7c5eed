package io.vaultwire.connect;

import static io.vaultwire.connect.FakeVaultwire.Answer;
import static io.vaultwire.connect.FakeVaultwire.dataBody;
import static io.vaultwire.connect.FakeVaultwire.errorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Several vaultwire URLs, failing fast when none is reachable, the circuit, and the headers naming the worker. */
class FailoverTest {
  private static final String CLUSTER = "lkc-test01";
  private static final String CONNECTOR = "lcc-abc123";
  private static final String TOKEN = "vwt_worker-token.123";
  private static final String HOST = "connect-host-1";
  /** The reconciler restarts tasks whose trace matches this (src/runtime/kafka-connect/reconciler.ts). */
  private static final Pattern PROVIDER_UNREACHABLE = Pattern.compile("vaultwire: could not fetch the secrets of "
      + "connector [^\\n]*(connection refused or unreachable|connect timeout|no answer within the deadline|HTTP 5\\d\\d)");

  /** Time that passes only when the provider sleeps or a test says so. */
  static final class FakeClock implements VaultwireConfigProvider.Clock {
    private final AtomicLong now = new AtomicLong(42_000_000_000L);
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
      return now.get();
    }

    @Override
    public void sleep(long millis) {
      sleeps.add(millis);
      advance(millis);
    }

    void advance(long millis) {
      now.addAndGet(millis * 1_000_000L);
    }

    long slept() {
      return sleeps.stream().mapToLong(Long::longValue).sum();
    }
  }

  private final List<FakeVaultwire> servers = new ArrayList<>();
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private final FakeClock clock = new FakeClock();
  private PrintStream originalErr;
  private VaultwireConfigProvider provider;

  @BeforeEach
  void captureLogs() {
    originalErr = System.err;
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    if (provider != null) {
      provider.close();
    }
    servers.forEach(FakeVaultwire::close);
  }

  private FakeVaultwire server() throws IOException {
    FakeVaultwire server = new FakeVaultwire();
    servers.add(server);
    return server;
  }

  /** A loopback URL where nothing listens: connections are refused. */
  private static String refusing() throws IOException {
    return "http://127.0.0.1:" + freePort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Map<String, String> params(String... extra) {
    Map<String, String> params = new HashMap<>();
    params.put("cluster", CLUSTER);
    params.put("token", TOKEN);
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
    provider = new VaultwireConfigProvider(clock, () -> HOST);
    provider.configure(params(extra));
    return provider;
  }

  private String fetch() {
    return provider.get(CONNECTOR, Set.of("k")).data().get("k");
  }

  private String logged() {
    return logs.toString(StandardCharsets.UTF_8);
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  private static int attempts(ConfigException e) {
    Matcher m = Pattern.compile(" after (\\d+) attempt\\(s\\) ").matcher(e.getMessage());
    assertTrue(m.find(), e.getMessage());
    return Integer.parseInt(m.group(1));
  }

  @Test
  void failsOverToTheSecondUrlWhenTheFirstRefusesTheConnection() throws IOException {
    FakeVaultwire second = server();
    second.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    String first = refusing();
    configured("urls", first + "," + second.url());

    assertEquals("v", fetch());
    assertEquals(1, second.calls());
    assertEquals(List.of(), clock.sleeps, "no backoff before asking the next URL");
    assertTrue(logged().contains("secret fetches go to " + second.url() + " first now (" + first
        + ": connection refused or unreachable)"), logged());
  }

  @Test
  void staysWithTheUrlThatWorkedUntilItFails() throws IOException {
    FakeVaultwire a = server();
    FakeVaultwire b = server();
    a.script((request, n) -> Answer.json(502, "{}"));
    b.script((request, n) -> Answer.json(200, dataBody("k", "from b")));
    configured("urls", a.url() + "," + b.url());

    assertEquals("from b", fetch());
    assertEquals("from b", fetch());
    assertEquals("from b", fetch());
    assertEquals(1, a.calls(), "a is asked once, then b first");
    assertEquals(3, b.calls());

    a.script((request, n) -> Answer.json(200, dataBody("k", "from a")));
    b.close();
    assertEquals("from a", fetch());
    assertEquals("from a", fetch());
    assertEquals(3, a.calls(), "b refused once, then a first");
    assertEquals(1, occurrences(logged(), "secret fetches go to " + b.url() + " first now"), logged());
    assertEquals(1, occurrences(logged(), "secret fetches go to " + a.url() + " first now"), logged());
  }

  @Test
  void failsOverWhenAUrlDoesNotAnswerInTime() throws IOException {
    FakeVaultwire slow = server();
    FakeVaultwire fast = server();
    slow.script((request, n) -> new Answer(200, dataBody("k", "late"), 3_000, null));
    fast.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    configured("urls", slow.url() + "," + fast.url(), "request.timeout.ms", "200");
    long started = System.nanoTime();
    assertEquals("v", fetch());
    assertTrue((System.nanoTime() - started) / 1_000_000 < 2_500, "the slow one was cut");
  }

  @ParameterizedTest
  @CsvSource({"400", "401", "403", "404", "422"})
  void aDefinitiveRefusalIsFinal(int status) throws IOException {
    FakeVaultwire a = server();
    FakeVaultwire b = server();
    a.script((request, n) -> Answer.json(status, errorBody(status, "refused by a")));
    b.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    configured("urls", a.url() + "," + b.url());
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    assertEquals("vaultwire: refused by a", e.getMessage());
    assertEquals(1, a.calls());
    assertEquals(0, b.calls(), "the replicas share one store: no second opinion");
  }

  @Test
  void aRefusalAfterAFailoverIsFinalToo() throws IOException {
    FakeVaultwire b = server();
    b.script((request, n) -> Answer.json(404, errorBody(404, "connector lcc-abc123 does not exist")));
    configured("urls", refusing() + "," + b.url());
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    assertEquals("vaultwire: connector lcc-abc123 does not exist", e.getMessage());
    assertEquals(1, b.calls());
    assertEquals(List.of(), clock.sleeps);
  }

  @Test
  void failsFastWhenEveryUrlRefusesTheConnection() throws IOException {
    String a = refusing();
    String b = refusing();
    // The defaults: 30 s deadline, 2 s for failures without a Retry-After, 200 ms first backoff.
    configured("urls", a + "," + b);
    long started = System.nanoTime();
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    long wallMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(clock.slept() < 2_000, "backoff within the 2 s bound: " + clock.sleeps);
    int attempts = attempts(e);
    assertEquals(0, attempts % 2, "whole rounds over both URLs: " + e.getMessage());
    assertTrue(attempts >= 2 && attempts <= 10, e.getMessage());
    assertEquals(attempts / 2 - 1, clock.sleeps.size(), "one wait between rounds");
    assertTrue(wallMs < 10_000, "took " + wallMs + " ms");
    assertTrue(e.getMessage().contains("retries without a Retry-After stop after 2000 ms, parameter "
        + "\"unreachable.timeout.ms\""), e.getMessage());
    assertTrue(e.getMessage().contains(a + ": connection refused or unreachable; " + b
        + ": connection refused or unreachable"), e.getMessage());
    assertTrue(PROVIDER_UNREACHABLE.matcher(e.getMessage()).find(), "vaultwire restarts what failed like this");
  }

  @Test
  void failsFastOnTheRealClockToo() throws IOException {
    provider = new VaultwireConfigProvider(); // the system clock and the defaults: 2 s for all refused, 30 s deadline
    provider.configure(params("urls", refusing() + "," + refusing()));
    long started = System.nanoTime();
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    long wallMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(wallMs < 6_000, "took " + wallMs + " ms, not the 30 s deadline");
    assertTrue(attempts(e) >= 2, e.getMessage());
    // The circuit is open: the next fetch fails without waiting.
    long again = System.nanoTime();
    assertThrows(ConfigException.class, this::fetch);
    assertTrue((System.nanoTime() - again) / 1_000_000 < 500, "failed at once");
  }

  @Test
  void withoutARetryBoundItFailsAfterOneRound() throws IOException {
    configured("urls", refusing() + "," + refusing(), "unreachable.timeout.ms", "0");
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    assertEquals(2, attempts(e));
    assertEquals(List.of(), clock.sleeps);
  }

  @Test
  void a5xxWithoutRetryAfterIsRetriedOnlyWithinTheShortBound() throws IOException {
    FakeVaultwire a = server();
    a.script((request, n) -> Answer.json(503, errorBody(503, "the secret manager is unavailable")));
    configured("url", a.url());
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    assertTrue(clock.slept() < 2_000, clock.sleeps.toString());
    assertTrue(a.calls() >= 2, "retried: " + a.calls());
    assertTrue(PROVIDER_UNREACHABLE.matcher(e.getMessage()).find(), e.getMessage());
  }

  @Test
  void tryAgainSoonIsRetriedUpToTheDeadline() throws IOException {
    FakeVaultwire a = server();
    FakeVaultwire b = server();
    a.script((request, n) -> new Answer(503, errorBody(503, "key vault throttled"), 0, "3"));
    b.script((request, n) -> new Answer(429, errorBody(429, "slow down"), 0, "2"));
    configured("urls", a.url() + "," + b.url());
    ConfigException e = assertThrows(ConfigException.class, this::fetch);
    assertTrue(clock.slept() > 2_000 && clock.slept() < 30_000, clock.sleeps.toString());
    assertTrue(clock.sleeps.stream().allMatch(ms -> ms >= 2_000), "the shorter Retry-After of the round: " + clock.sleeps);
    assertEquals(a.calls(), b.calls(), "both asked in every round");
    assertTrue(e.getMessage().contains("(deadline 30000 ms)"), e.getMessage());
  }

  @Test
  void theCircuitFailsFetchesAtOnceDuringTheCooldownAndClosesWhenAUrlListensAgain() throws IOException {
    int port = freePort();
    configured("url", "http://127.0.0.1:" + port);
    assertThrows(ConfigException.class, this::fetch);
    int sleepsAfterFirst = clock.sleeps.size();
    assertTrue(sleepsAfterFirst > 0, "the first fetch retried within the 2 s bound");
    assertEquals(1, occurrences(logged(), "no vaultwire URL accepts connections"), logged());

    // Within the cool-down (5 s): no retry, no HTTP request, no wait.
    clock.advance(3_000);
    for (int i = 0; i < 5; i++) {
      long started = System.nanoTime();
      ConfigException e = assertThrows(ConfigException.class, this::fetch);
      assertTrue((System.nanoTime() - started) / 1_000_000 < 1_000, "at once");
      assertTrue(e.getMessage().matches("vaultwire: could not fetch the secrets of connector lcc-abc123: no vaultwire "
          + "URL accepted a connection \\d+ ms ago \\(connection refused or unreachable\\) nor now; failing at once "
          + "for up to 5000 ms after that \\(parameter \"unreachable.cooldown.ms\"\\)"), e.getMessage());
      assertTrue(PROVIDER_UNREACHABLE.matcher(e.getMessage()).find(), "vaultwire restarts what failed like this");
    }
    assertEquals(sleepsAfterFirst, clock.sleeps.size(), "no backoff within the cool-down");

    // vaultwire is back within the cool-down: the next fetch sees it listening and goes ahead.
    FakeVaultwire back = new FakeVaultwire(port);
    servers.add(back);
    back.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    assertEquals("v", fetch());
    assertEquals(1, back.calls());
    assertEquals("v", fetch());
    assertEquals(1, occurrences(logged(), "answers again after"), logged());
    assertEquals(1, occurrences(logged(), "no vaultwire URL accepts connections"), "one WARN per outage");
  }

  @Test
  void afterTheCooldownAFetchTriesForRealAgain() throws IOException {
    configured("url", refusing(), "unreachable.timeout.ms", "0");
    ConfigException first = assertThrows(ConfigException.class, this::fetch);
    assertEquals(1, attempts(first));
    clock.advance(1_000);
    assertFalse(assertThrows(ConfigException.class, this::fetch).getMessage().contains("attempt(s)"), "the circuit");
    clock.advance(4_100);
    assertEquals(1, attempts(assertThrows(ConfigException.class, this::fetch)), "a real attempt after 5 s");
  }

  @Test
  void theOutageIsAnnouncedOnceHoweverManyFetchesFail() throws IOException {
    configured("urls", refusing() + "," + refusing(), "unreachable.timeout.ms", "300");
    for (int i = 0; i < 6; i++) {
      assertThrows(ConfigException.class, this::fetch);
      clock.advance(i % 2 == 0 ? 1_000 : 5_000); // within the cool-down, then past it
    }
    assertEquals(1, occurrences(logged(), "WARN"), logged());
    assertEquals(1, occurrences(logged(), "no vaultwire URL accepts connections"), logged());
    assertFalse(logged().contains("ERROR"), "each failed fetch is Connect's to report: " + logged());
    assertFalse(logged().contains(TOKEN), "never the token");
  }

  @Test
  void aZeroCooldownTurnsTheCircuitOff() throws IOException {
    int port = freePort();
    configured("url", "http://127.0.0.1:" + port, "unreachable.timeout.ms", "0", "unreachable.cooldown.ms", "0");
    assertThrows(ConfigException.class, this::fetch);
    FakeVaultwire back = new FakeVaultwire(port);
    servers.add(back);
    back.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    assertEquals("v", fetch());
  }

  @Test
  void namesTheWorkerInItsHeaders() throws IOException {
    FakeVaultwire a = server();
    a.script((request, n) -> Answer.json(200, dataBody("k", "v")));
    configured("url", a.url());
    fetch();
    configured("url", a.url(), "worker.id", "10.0.0.7:8083");
    fetch();

    assertTrue(VaultwireConfigProvider.VERSION.matches("\\d+\\.\\d+\\.\\d+.*"), VaultwireConfigProvider.VERSION);
    String userAgent = "vaultwire-config-provider/" + VaultwireConfigProvider.VERSION + " (worker " + HOST + ")";
    assertEquals(userAgent, a.requests().get(0).userAgent());
    assertEquals(HOST, a.requests().get(0).worker());
    assertEquals(userAgent, a.requests().get(1).userAgent());
    assertEquals("10.0.0.7:8083", a.requests().get(1).worker());
  }

  @Test
  void aHostNameIsMadeHeaderSafe() {
    assertEquals("my-host.example", ProviderSettings.sanitizedWorkerId(" my host.example\n"));
    assertEquals("a-b-c", ProviderSettings.sanitizedWorkerId("a(b)c"));
    assertEquals("unknown", ProviderSettings.sanitizedWorkerId(""));
    assertEquals("unknown", ProviderSettings.sanitizedWorkerId(null));
    assertFalse(ProviderSettings.localHostName().isBlank(), "this machine has a name");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "http://127.0.0.1:1,|the parameter \"urls\" (entry 2 of 2) is empty",
      ",http://127.0.0.1:1|the parameter \"urls\" (entry 1 of 2) is empty",
      "http://127.0.0.1:1,ftp://127.0.0.1/|the parameter \"urls\" (entry 2 of 2) must be an http(s) URL with a host",
      "http://127.0.0.1:1, http://127.0.0.1:1/|the parameter \"urls\" (entry 2 of 2) is the same URL as entry 1",
      "https://vw.example.com,http://vw.example.com|(entry 2 of 2) must use https unless the host is a loopback",
      "https://admin:Canary-pw@vw.example.com|the parameter \"urls\" (entry 1 of 1) must have no user info, query or fragment",
      "https://vw.example.com/#x|(entry 1 of 1) must have no user info, query or fragment",
      "https://vw.example.com/a b|the parameter \"urls\" (entry 1 of 1) is not a URL",
      "http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3,http://127.0.0.1:4,http://127.0.0.1:5,"
          + "http://127.0.0.1:6,http://127.0.0.1:7,http://127.0.0.1:8,http://127.0.0.1:9,http://127.0.0.1:10,"
          + "http://127.0.0.1:11,http://127.0.0.1:12,http://127.0.0.1:13,http://127.0.0.1:14,http://127.0.0.1:15,"
          + "http://127.0.0.1:16,http://127.0.0.1:17|lists 17 URLs; at most 16",
  })
  void rejectsBadUrls(String urls, String expected) {
    VaultwireConfigProvider fresh = new VaultwireConfigProvider(clock, () -> HOST);
    ConfigException e = assertThrows(ConfigException.class, () -> fresh.configure(params("urls", urls)));
    assertTrue(e.getMessage().startsWith("vaultwire: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("Canary"), "a URL is never quoted back: " + e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
  }

  @Test
  void takesExactlyOneOfUrlAndUrls() {
    VaultwireConfigProvider fresh = new VaultwireConfigProvider(clock, () -> HOST);
    ConfigException both = assertThrows(ConfigException.class,
        () -> fresh.configure(params("url", "http://127.0.0.1:1", "urls", "http://127.0.0.1:2")));
    assertTrue(both.getMessage().startsWith("vaultwire: set only one of the parameters \"url\" (one vaultwire URL) "
        + "and \"urls\" (several, comma-separated)"), both.getMessage());
    ConfigException neither = assertThrows(ConfigException.class, () -> fresh.configure(params()));
    assertTrue(neither.getMessage().contains("\"urls\" with several vaultwire URLs"), neither.getMessage());
    assertFalse(both.getMessage().contains(TOKEN) || neither.getMessage().contains(TOKEN));
    // One URL in "urls" is fine too.
    fresh.configure(params("urls", " http://127.0.0.1:1 "));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "worker.id|has space|the parameter \"worker.id\" must be a host name or worker id",
      "worker.id|(x)|the parameter \"worker.id\" must be a host name or worker id",
      "unreachable.timeout.ms|-1|the parameter \"unreachable.timeout.ms\" must be between 0 and 3600000",
      "unreachable.cooldown.ms|soon|the parameter \"unreachable.cooldown.ms\" must be a whole number",
      "connect.timeout.ms|0|the parameter \"connect.timeout.ms\" must be between 1 and 600000",
      "request.timeout.ms|0|the parameter \"request.timeout.ms\" must be between 1 and 3600000",
  })
  void rejectsBadNewParameters(String name, String value, String expected) {
    VaultwireConfigProvider fresh = new VaultwireConfigProvider(clock, () -> HOST);
    ConfigException e = assertThrows(ConfigException.class,
        () -> fresh.configure(params("url", "http://127.0.0.1:1", name, value)));
    assertTrue(e.getMessage().startsWith("vaultwire: " + expected), e.getMessage());
  }
}
