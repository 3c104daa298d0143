package dev.stackquery.sample.javashop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough JSON for the Java sample's flat objects, with no library: strings, integers,
 * booleans and {@code null} as field values. The Java sample uses it to read the API's answers
 * and, through {@code QueryCodec.of}, to persist queries; a real application would plug in the
 * JSON library it already has (Jackson, Gson, …) the same way.
 */
final class MiniJson {
    private final String text;
    private int pos;

    private MiniJson(String text) {
        this.text = text;
    }

    /** A JSON object of the given name/value pairs: {@code object("id", 42, "name", "Ada")}. */
    static String object(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values come in pairs");
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) out.append(',');
            quote(out, (String) namesAndValues[i]).append(':');
            Object value = namesAndValues[i + 1];
            if (value instanceof String) quote(out, (String) value);
            else if (value == null || value instanceof Number || value instanceof Boolean) out.append(value);
            else throw new IllegalArgumentException("unsupported JSON value " + value.getClass().getName());
        }
        return out.append('}').toString();
    }

    /**
     * The fields of a flat JSON object, in order: {@code String}, {@code Long}, {@code Boolean} or
     * {@code null} values.
     *
     * @throws IllegalArgumentException for anything else (nested values, fractions, bad syntax).
     */
    static Map<String, Object> parseObject(String json) {
        MiniJson parser = new MiniJson(json);
        Map<String, Object> fields = new LinkedHashMap<>();
        parser.expect('{');
        if (!parser.consume('}')) {
            do {
                String name = parser.string();
                parser.expect(':');
                fields.put(name, parser.value());
            } while (parser.consume(','));
            parser.expect('}');
        }
        parser.skipSpaces();
        if (parser.pos != json.length()) throw parser.error("trailing text");
        return fields;
    }

    private static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"');
    }

    private Object value() {
        skipSpaces();
        if (pos >= text.length()) throw error("a value expected");
        char c = text.charAt(pos);
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) {
            int start = pos++;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            try {
                return Long.parseLong(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("an integer expected");
            }
        }
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, pos)) {
                pos += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error("a string, an integer, true, false or null expected");
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return out.toString();
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"': case '\\': case '/': out.append(e); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    if (pos + 4 > text.length()) throw error("bad \\u escape");
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                    break;
                default: throw error("bad escape \\" + e);
            }
        }
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private boolean consume(char c) {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) throw error("'" + c + "' expected");
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("bad JSON at " + pos + ": " + what + " in " + text);
    }
}
