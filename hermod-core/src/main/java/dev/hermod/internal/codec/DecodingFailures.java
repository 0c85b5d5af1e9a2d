package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Puts a value that could not be decoded into words a caller can act on: where in the value,
 * what its declared type expects and what arrived ({@code "at x: expected an integer, got the
 * text string \"a\""}), never a library's class names or advice about its configuration.
 */
final class DecodingFailures {
    private static final int SHOWN = 40;

    private DecodingFailures() {}

    /** The reason {@code e}, thrown while {@code parser} read a value, gives in plain words. */
    static String reason(Exception e, JsonParser parser) {
        String at = e instanceof JsonMappingException m ? path(m) : "";
        String prefix = at.isEmpty() ? "" : "at " + at + ": ";
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() == null ? v : v.getCause();
            return prefix + "cannot create " + simpleName(v.getType().getRawClass()) + ": "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null) {
            return prefix + "expected " + expected(f.getTargetType()) + ", got " + shown(f.getValue());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return prefix + "expected " + expected(m.getTargetType()) + ", got " + arrived(parser);
        }
        if (e instanceof JsonProcessingException p) {
            return prefix + firstLine(p.getOriginalMessage());
        }
        return prefix + e;
    }

    /** What a value of {@code type} looks like on the wire, for a person. */
    static String expected(Class<?> type) {
        if (type == String.class || type == char.class || type == Character.class) {
            return "a text string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == byte[].class) {
            return "a byte string";
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            String names = Arrays.stream(constants).map(c -> ((Enum<?>) c).name()).limit(10)
                    .collect(Collectors.joining(", "));
            return "a text string naming a constant of " + simpleName(type) + " (" + names
                    + (constants.length > 10 ? ", ..." : "") + ")";
        }
        if (Throwable.class.isAssignableFrom(type)) {
            return "a map for declared exception " + simpleName(type);
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == Optional.class) {
            return "a value or null";
        }
        String name = type.getName();
        if (name.startsWith("java.time.") || type == java.util.UUID.class) {
            return "a text string (" + type.getSimpleName() + ")";
        }
        if (Map.class.isAssignableFrom(type) || !name.startsWith("java.")) {
            return "a map (" + simpleName(type) + ")";
        }
        return "a " + simpleName(type);
    }

    /** The parser's current token and, for a scalar, its value. */
    private static String arrived(JsonParser parser) {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        try {
            return switch (token) {
                case START_OBJECT, FIELD_NAME, END_OBJECT -> "a map";
                case START_ARRAY, END_ARRAY -> "an array";
                case VALUE_STRING -> "the text string " + quoted(parser.getText());
                case VALUE_NUMBER_INT -> "the integer " + parser.getText();
                case VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
                case VALUE_TRUE -> "the boolean true";
                case VALUE_FALSE -> "the boolean false";
                case VALUE_NULL -> "null";
                case VALUE_EMBEDDED_OBJECT -> "a byte string";
                default -> token.toString();
            };
        } catch (java.io.IOException | RuntimeException unreadable) {
            return token.toString();
        }
    }

    private static String shown(Object value) {
        if (value instanceof String s) {
            return "the text string " + quoted(s);
        }
        if (value instanceof Number n) {
            return (n instanceof Double || n instanceof Float || n instanceof BigDecimal ? "the number " : "the integer ")
                    + n;
        }
        if (value instanceof Boolean b) {
            return "the boolean " + b;
        }
        return value == null ? "null" : "a " + value.getClass().getSimpleName();
    }

    private static String quoted(String s) {
        String shortened = s.length() > SHOWN ? s.substring(0, SHOWN) + "..." : s;
        return '"' + shortened + '"';
    }

    /** {@code items[2].name}: where in the value the failure is. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String simpleName(Class<?> type) {
        return type.getName().substring(type.getName().lastIndexOf('.') + 1).replace('$', '.');
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed value";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
