package dualwan.linux;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of one object of {@code ip -json} output. A field of the wrong type or out of range is an
 * {@link IOException} naming the listing, the object and the field: iproute2 changed its format, or the output
 * is not ip's, and the daemon must say so and keep running (never a ClassCastException that ends a thread).
 */
final class JsonFields {

    static final long U32_MAX = 0xFFFF_FFFFL;

    private final Map<String, Object> object;
    private final String where;

    /** @param where the listing and the object, for messages: {@code "ip -json rule show: object 3"} */
    JsonFields(Map<String, Object> object, String where) {
        this.object = object;
        this.where = where;
    }

    String where() {
        return where;
    }

    Map<String, Object> map() {
        return object;
    }

    boolean has(String key) {
        return object.containsKey(key);
    }

    Optional<String> string(String key) throws IOException {
        Object v = object.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw wrong(key, v, "a string");
    }

    /** A whole number in {@code [min, max]}. */
    Optional<Long> number(String key, long min, long max) throws IOException {
        Object v = object.get(key);
        if (v == null) {
            return Optional.empty();
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof BigInteger b && b.bitLength() < 64) {
            n = b.longValue();
        } else {
            throw wrong(key, v, "a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw wrong(key, v, "a whole number from " + min + " to " + max);
        }
        return Optional.of(n);
    }

    /** A list of strings ({@code "flags": ["onlink"]}); absent is empty. */
    List<String> strings(String key) throws IOException {
        Object v = object.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrong(key, v, "a list of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object e : list) {
            if (!(e instanceof String s)) {
                throw wrong(key, v, "a list of strings");
            }
            out.add(s);
        }
        return out;
    }

    /** A list of objects ({@code "addr_info": [{…}]}); absent is empty. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> objects(String key) throws IOException {
        Object v = object.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrong(key, v, "a list of objects");
        }
        for (Object e : list) {
            if (!(e instanceof Map<?, ?>)) {
                throw wrong(key, v, "a list of objects");
            }
        }
        return (List<Map<String, Object>>) list;
    }

    /** A field present with a value ip never prints. */
    IOException invalid(String key, String expected) {
        return wrong(key, object.get(key), expected);
    }

    private IOException wrong(String key, Object value, String expected) {
        return new IOException(where + ": field \"" + key + "\" is " + describe(value) + ", expected " + expected);
    }

    /** A short, printable rendering of a JSON value for an error message. */
    static String describe(Object value) {
        String kind = switch (value) {
            case null -> "null";
            case String s -> "the string \"" + printable(s) + "\"";
            case Number n -> "the number " + printable(n.toString());
            case Boolean b -> b.toString();
            case List<?> l -> "a list of " + l.size();
            case Map<?, ?> m -> "an object";
            default -> value.getClass().getSimpleName();
        };
        return kind;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return s.codePointCount(0, s.length()) > 40 ? b + "…" : b.toString();
    }
}
