package dev.hermod.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.hermod.tools.ServiceDescription;
import dev.hermod.tools.ServiceDescription.DataType;

/**
 * What the command knows of one service from its description: it checks JSON arguments against
 * an operation's declared types before a call (so a mistake is a usage error that names the
 * parameter, not a failure on the server), converts what JSON cannot say directly (a
 * {@code byte[]} is given as base64 text), writes a JSON template of an operation's arguments,
 * and finds the records, beans and enums an operation uses.
 *
 * <p>A type the description does not explain (a server older than type descriptions, or a type
 * the checker does not know) is not checked: the server still is.
 */
final class Schema {
    private static final Set<String> INTEGERS = Set.of("int", "long", "short", "byte", "java.lang.Integer",
            "java.lang.Long", "java.lang.Short", "java.lang.Byte", "java.math.BigInteger");
    private static final Set<String> NUMBERS = Set.of("double", "float", "java.lang.Double", "java.lang.Float",
            "java.math.BigDecimal");
    private static final Set<String> PRIMITIVES = Set.of("int", "long", "short", "byte", "double", "float",
            "boolean", "char");
    private static final Set<String> COLLECTIONS = Set.of("java.util.List", "java.util.Set", "java.util.Collection",
            "java.util.Queue", "java.util.Deque", "java.util.SortedSet", "java.util.NavigableSet", "java.util.EnumSet",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashSet", "java.util.LinkedHashSet",
            "java.util.TreeSet", "java.util.ArrayDeque");

    private final ServiceDescription service;
    private final String contractPackage;

    Schema(ServiceDescription service) {
        this.service = service;
        this.contractPackage = TypeName.packageOf(service.contract());
    }

    /** An argument list that does not fit the operation, in words for the user. */
    static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    /** A type name as a person reads it in this service: {@code List<Vm>}. */
    String shortName(String type) {
        return TypeName.shorten(type, contractPackage);
    }

    /** {@code get(String id)}. */
    String signature(ServiceDescription.Operation op) {
        return op.name() + "(" + parameters(op) + ")";
    }

    private String parameters(ServiceDescription.Operation op) {
        return op.parameters().stream().map(p -> shortName(p.type()) + " " + p.name())
                .collect(Collectors.joining(", "));
    }

    /**
     * Checks the arguments against the operation's parameters and returns them ready to send.
     *
     * @throws Mismatch naming the first parameter that does not fit, and why
     */
    Object[] check(ServiceDescription.Operation op, List<Object> values) throws Mismatch {
        int n = op.parameters().size();
        if (values.size() != n) {
            String takes = n == 0 ? "takes no arguments"
                    : "takes " + n + (n == 1 ? " argument (" : " arguments (") + parameters(op) + ")";
            String hint = n == 1 && isArray(TypeName.parse(op.parameters().get(0).type())) && values.size() > 1
                    ? " (a JSON array given to -d holds the arguments: for one array argument write [[...]])" : "";
            throw new Mismatch("operation " + op.name() + " " + takes + ", got " + values.size() + hint);
        }
        Object[] ready = new Object[n];
        for (int i = 0; i < n; i++) {
            ServiceDescription.Parameter p = op.parameters().get(i);
            String where = "parameter " + (i + 1) + " (" + shortName(p.type()) + " " + p.name() + ")";
            ready[i] = convert(where, "", TypeName.parse(p.type()), values.get(i));
        }
        return ready;
    }

    private Object convert(String where, String at, TypeName type, Object value) throws Mismatch {
        String raw = type.raw();
        if (value == null) {
            if (type.dimensions() == 0 && PRIMITIVES.contains(raw)) {
                throw mismatch(where, at, "expected " + expected(type) + ", got null");
            }
            return null;
        }
        if (type.dimensions() > 0) {
            if (type.dimensions() == 1 && raw.equals("byte")) {
                if (!(value instanceof String s)) {
                    throw mismatch(where, at, "expected base64 text (a byte[]), got " + shown(value));
                }
                try {
                    return Base64.getDecoder().decode(s);
                } catch (IllegalArgumentException e) {
                    throw mismatch(where, at, "expected base64 text (a byte[]), got " + shown(value));
                }
            }
            return convertElements(where, at, type.component(), value, type);
        }
        if (INTEGERS.contains(raw)) {
            if (!(value instanceof Integer || value instanceof Long || value instanceof BigInteger)) {
                throw mismatch(where, at, "expected an integer, got " + shown(value));
            }
            return value;
        }
        if (NUMBERS.contains(raw)) {
            if (!(value instanceof Number)) {
                throw mismatch(where, at, "expected a number, got " + shown(value));
            }
            return value;
        }
        switch (raw) {
            case "boolean", "java.lang.Boolean" -> {
                if (!(value instanceof Boolean)) {
                    throw mismatch(where, at, "expected true or false, got " + shown(value));
                }
                return value;
            }
            case "char", "java.lang.Character" -> {
                if (!(value instanceof String s) || s.length() != 1) {
                    throw mismatch(where, at, "expected a string of one character, got " + shown(value));
                }
                return value;
            }
            case "java.lang.String", "java.util.UUID" -> {
                return requireString(where, at, type, value);
            }
            case "java.util.Optional" -> {
                return convert(where, at, type.argument(0), value);
            }
            case "java.util.OptionalInt", "java.util.OptionalLong" -> {
                return convert(where, at, new TypeName("long", List.of(), 0), value);
            }
            case "java.util.OptionalDouble" -> {
                return convert(where, at, new TypeName("double", List.of(), 0), value);
            }
            default -> {
                // below
            }
        }
        if (raw.startsWith("java.time.")) {
            return requireString(where, at, type, value);
        }
        if (COLLECTIONS.contains(raw)) {
            return convertElements(where, at, type.argument(0), value, type);
        }
        if (raw.startsWith("java.util.") && raw.endsWith("Map")) {
            if (!(value instanceof Map<?, ?> map)) {
                throw mismatch(where, at, "expected an object (" + shortName(raw) + "), got " + shown(value));
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(e.getKey(), convert(where, at + "[\"" + e.getKey() + "\"]", type.argument(1), e.getValue()));
            }
            return out;
        }
        DataType described = service.type(raw).orElse(null);
        if (described == null) {
            return value;   // not described: the server checks it
        }
        switch (described.kind()) {
            case DataType.ENUM -> {
                if (!(value instanceof String s) || !described.constants().contains(s)) {
                    throw mismatch(where, at, "expected one of " + String.join(", ", described.constants())
                            + ", got " + shown(value));
                }
                return value;
            }
            case DataType.REFERENCE -> throw mismatch(where, at, "is an object reference (" + shortName(raw)
                    + "), which a call from the command line cannot pass");
            default -> {
                return convertObject(where, at, described, value);
            }
        }
    }

    private Object convertObject(String where, String at, DataType described, Object value) throws Mismatch {
        if (!(value instanceof Map<?, ?> map)) {
            throw mismatch(where, at, "expected an object (" + described.kind() + " " + shortName(described.name())
                    + "), got " + shown(value));
        }
        Map<String, ServiceDescription.Parameter> fields = new LinkedHashMap<>();
        described.fields().forEach(f -> fields.put(f.name(), f));
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            ServiceDescription.Parameter field = fields.get(String.valueOf(e.getKey()));
            String fieldAt = at.isEmpty() ? String.valueOf(e.getKey()) : at + "." + e.getKey();
            if (field == null) {
                throw mismatch(where, at, "unknown field '" + e.getKey() + "' of " + shortName(described.name())
                        + " (fields: " + String.join(", ", fields.keySet()) + ")");
            }
            out.put(e.getKey(), convert(where, fieldAt, TypeName.parse(field.type()), e.getValue()));
        }
        return out;
    }

    private Object convertElements(String where, String at, TypeName element, Object value, TypeName declared)
            throws Mismatch {
        if (!(value instanceof List<?> list)) {
            throw mismatch(where, at, "expected an array (" + shortName(render(declared)) + "), got " + shown(value));
        }
        List<Object> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(convert(where, at + "[" + i + "]", element, list.get(i)));
        }
        return out;
    }

    private Object requireString(String where, String at, TypeName type, Object value) throws Mismatch {
        if (!(value instanceof String)) {
            String hint = value instanceof Number || value instanceof Boolean ? " (quote it: '\"" + value + "\"')" : "";
            throw mismatch(where, at, "expected a string" + (type.raw().equals("java.lang.String") ? ""
                    : " (" + shortName(type.raw()) + ")") + ", got " + shown(value) + hint);
        }
        return value;
    }

    private static Mismatch mismatch(String where, String at, String what) {
        String located = at.isEmpty() ? "" : " at " + at;
        return new Mismatch(where + located + (what.startsWith("is ") ? " " : ": ") + what);
    }

    private static String expected(TypeName type) {
        return switch (type.raw()) {
            case "boolean" -> "true or false";
            case "char" -> "a string of one character";
            case "double", "float" -> "a number";
            default -> "an integer";
        };
    }

    private static boolean isArray(TypeName type) {
        return type.dimensions() > 0 || COLLECTIONS.contains(type.raw());
    }

    /** What arrived, in the words of the messages: {@code the number 42}, {@code an object}. */
    /** Whether a described type is a stream: {@code java.util.concurrent.Flow$Publisher<T>}, as describe names it. */
    static boolean streams(String type) {
        return type.startsWith("java.util.concurrent.Flow$Publisher") || type.startsWith("java.util.concurrent.Flow.Publisher");
    }

    static String shown(Object value) {
        if (value instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (value instanceof Number n) {
            return "the number " + n;
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof Map) {
            return "an object";
        }
        return String.valueOf(value);
    }

    private static String render(TypeName t) {
        StringBuilder sb = new StringBuilder(t.raw());
        if (!t.arguments().isEmpty()) {
            sb.append('<').append(t.arguments().stream().map(Schema::render).collect(Collectors.joining(", ")))
                    .append('>');
        }
        sb.append("[]".repeat(t.dimensions()));
        return sb.toString();
    }

    /** A JSON-ready example of the operation's arguments: one value per parameter, each of its type. */
    List<Object> template(ServiceDescription.Operation op) {
        List<Object> values = new ArrayList<>();
        for (ServiceDescription.Parameter p : op.parameters()) {
            values.add(example(TypeName.parse(p.type()), new HashSet<>()));
        }
        return values;
    }

    private Object example(TypeName type, Set<String> open) {
        String raw = type.raw();
        if (type.dimensions() > 0) {
            return type.dimensions() == 1 && raw.equals("byte") ? "" : List.of(example(type.component(), open));
        }
        if (INTEGERS.contains(raw)) {
            return 0;
        }
        if (NUMBERS.contains(raw)) {
            return 0.0;
        }
        switch (raw) {
            case "boolean", "java.lang.Boolean":
                return false;
            case "char", "java.lang.Character":
                return "a";
            case "java.lang.String":
                return "";
            case "java.util.UUID":
                return "00000000-0000-0000-0000-000000000000";
            case "java.util.Optional":
                return example(type.argument(0), open);
            case "java.util.OptionalInt", "java.util.OptionalLong":
                return 0;
            case "java.util.OptionalDouble":
                return 0.0;
            case "java.time.Instant", "java.time.OffsetDateTime", "java.time.ZonedDateTime":
                return "1970-01-01T00:00:00Z";
            case "java.time.LocalDateTime":
                return "1970-01-01T00:00:00";
            case "java.time.LocalDate":
                return "1970-01-01";
            case "java.time.LocalTime":
                return "00:00:00";
            case "java.time.Duration":
                return "PT0S";
            default:
                break;
        }
        if (COLLECTIONS.contains(raw)) {
            return List.of(example(type.argument(0), open));
        }
        if (raw.startsWith("java.util.") && raw.endsWith("Map")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("", example(type.argument(1), open));
            return m;
        }
        DataType described = service.type(raw).orElse(null);
        if (described == null || described.kind().equals(DataType.REFERENCE) || !open.add(raw)) {
            return null;
        }
        try {
            if (described.kind().equals(DataType.ENUM)) {
                return described.constants().isEmpty() ? null : described.constants().get(0);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (ServiceDescription.Parameter f : described.fields()) {
                m.put(f.name(), example(TypeName.parse(f.type()), open));
            }
            return m;
        } finally {
            open.remove(raw);
        }
    }

    /** The described types an operation takes or returns, nested ones included, in the order met. */
    List<DataType> typesOf(ServiceDescription.Operation op) {
        List<String> names = new ArrayList<>();
        op.parameters().forEach(p -> TypeName.parse(p.type()).names(names));
        TypeName.parse(op.result()).names(names);
        Map<String, DataType> found = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (found.containsKey(name)) {
                continue;
            }
            DataType t = service.type(name).orElse(null);
            if (t != null) {
                found.put(name, t);
                t.fields().forEach(f -> TypeName.parse(f.type()).names(names));
            }
        }
        return List.copyOf(found.values());
    }

    /** One type, as a person reads it: {@code record Vm(String id, VmState state)}. */
    String describe(DataType t) {
        String name = shortName(t.name());
        return switch (t.kind()) {
            case DataType.ENUM -> "enum " + name + "  " + String.join(" | ", t.constants());
            case DataType.REFERENCE -> "reference " + name + "  (a @Remote interface, passed by reference)";
            default -> t.kind() + " " + name + "(" + t.fields().stream()
                    .map(f -> shortName(f.type()) + " " + f.name()).collect(Collectors.joining(", ")) + ")";
        };
    }
}
