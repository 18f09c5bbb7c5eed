package io.vaultwire.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @Test
  void readsEveryKindOfValue() {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("s", "a\"b\\c/\b\f\n\r\t\u00e9\ud83d\ude00");
    expected.put("n", -12.5e1);
    expected.put("z", 0.0);
    expected.put("t", true);
    expected.put("f", false);
    expected.put("null", null);
    expected.put("a", Arrays.asList(1.0, List.of(), Map.of()));
    Object parsed = Json.parse(" {\"s\":\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"n\": -12.5e1, \"z\": 0,"
        + " \"t\": true, \"f\": false, \"null\": null, \"a\": [1, [], {}]}\n");
    assertEquals(expected, parsed);
    assertNull(Json.parse("null"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "01", "1.", "-", "\"\\x\"", "\"unterminated",
      "{\"a\":1} x", "tru", "\"\u0001\"", "{a:1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"})
  void rejectsMalformedInput(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    assertTrue(e.getMessage().startsWith("malformed JSON: "), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"k\":\"CANARY", "{\"k\":\"CANARY\"} x", "{\"k\":\"CANARY\\q\"}",
      "{\"k\":\"CANARY\"", "{\"k\":\"CANARY\" \"j\":1}"})
  void neverQuotesTheInputInAnError(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    assertFalse(e.getMessage().contains("CANARY"), e.getMessage());
  }
}
