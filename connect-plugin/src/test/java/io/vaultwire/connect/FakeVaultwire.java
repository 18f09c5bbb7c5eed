package io.vaultwire.connect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** vaultwire's internal secrets endpoint, in process on 127.0.0.1, answering what each test scripts. */
final class FakeVaultwire implements AutoCloseable {
  /** One request as the server saw it. */
  record Request(String method, String rawPath, String rawQuery, List<String> keys, String authorization,
      String accept, String userAgent, String worker) {
  }

  /** The answer to one request. */
  record Answer(int status, String body, long delayMs, String retryAfter) {
    static Answer json(int status, String body) {
      return new Answer(status, body, 0, null);
    }
  }

  @FunctionalInterface
  interface Script {
    Answer answer(Request request, int callNumber);
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile Script script = (request, n) -> Answer.json(500, "{}");

  FakeVaultwire() throws IOException {
    this(0);
  }

  /** On a given port of 127.0.0.1 (0: any free one). */
  FakeVaultwire(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "fake-vaultwire");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void script(Script next) {
    this.script = next;
  }

  List<Request> requests() {
    return Collections.unmodifiableList(new ArrayList<>(requests));
  }

  int calls() {
    return calls.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String rawQuery = exchange.getRequestURI().getRawQuery();
    List<String> keys = new ArrayList<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.startsWith("keys=")) {
          for (String key : pair.substring("keys=".length()).split(",")) {
            keys.add(URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8));
          }
        }
      }
    }
    Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), rawQuery,
        keys, exchange.getRequestHeaders().getFirst("Authorization"),
        exchange.getRequestHeaders().getFirst("Accept"), exchange.getRequestHeaders().getFirst("User-Agent"),
        exchange.getRequestHeaders().getFirst("X-Vaultwire-Worker"));
    requests.add(request);
    Answer answer = script.answer(request, calls.incrementAndGet());
    try {
      if (answer.delayMs() > 0) {
        Thread.sleep(answer.delayMs());
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (answer.retryAfter() != null) {
        exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
      }
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client gave up (deadline tests)
    } finally {
      exchange.close();
    }
  }

  static String dataBody(String... keyValues) {
    StringBuilder out = new StringBuilder("{\"data\":{");
    for (int i = 0; i < keyValues.length; i += 2) {
      if (i > 0) {
        out.append(',');
      }
      out.append(quote(keyValues[i])).append(':').append(quote(keyValues[i + 1]));
    }
    return out.append("}}").toString();
  }

  static String errorBody(int code, String message) {
    return "{\"error\":{\"code\":" + code + ",\"message\":" + quote(message) + "}}";
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  static List<String> sorted(String... keys) {
    List<String> list = new ArrayList<>(Arrays.asList(keys));
    Collections.sort(list);
    return list;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
