package dev.hermod.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A Java type name as the describe service spells it ({@code java.util.Map<java.lang.String,
 * java.util.List<com.example.Employees$Employee>>}, {@code int[]}), parsed into its raw name, type
 * arguments and array dimensions, so the command can check JSON against it and show it short.
 *
 * @param raw the raw type's name ({@code java.util.Map}, {@code int})
 * @param arguments the type arguments, empty for a non-generic type
 * @param dimensions how many {@code []} follow
 */
record TypeName(String raw, List<TypeName> arguments, int dimensions) {

    /** Parses a type name; a name it cannot read becomes an opaque raw name. */
    static TypeName parse(String text) {
        Parser p = new Parser(text.replace(" ", ""));
        TypeName t = p.type();
        return p.at == p.s.length() ? t : new TypeName(text, List.of(), 0);
    }

    /** The element type of an array: one dimension fewer. */
    TypeName component() {
        return new TypeName(raw, arguments, dimensions - 1);
    }

    /** The {@code i}th type argument, or an opaque type if there is none. */
    TypeName argument(int i) {
        return i < arguments.size() ? arguments.get(i) : new TypeName("?", List.of(), 0);
    }

    /** Every raw name in this type, itself first. */
    void names(List<String> into) {
        into.add(raw);
        arguments.forEach(a -> a.names(into));
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        TypeName type() {
            int start = at;
            while (at < s.length() && "<>,[]".indexOf(s.charAt(at)) < 0) {
                at++;
            }
            String raw = s.substring(start, at);
            List<TypeName> arguments = new ArrayList<>();
            if (at < s.length() && s.charAt(at) == '<') {
                at++;
                arguments.add(type());
                while (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    arguments.add(type());
                }
                if (at < s.length() && s.charAt(at) == '>') {
                    at++;
                }
            }
            int dimensions = 0;
            while (s.startsWith("[]", at)) {
                at += 2;
                dimensions++;
            }
            return new TypeName(raw, List.copyOf(arguments), dimensions);
        }
    }

    /**
     * Drops the packages a reader supplies anyway ({@code java.lang}, {@code java.util} and the
     * contract's own) and writes nested types with a dot.
     */
    static String shorten(String type, String contractPackage) {
        String s = type.replaceAll("\\bjava\\.(lang|util)\\.(?=[A-Z])", "");
        if (!contractPackage.isEmpty()) {
            s = s.replaceAll("\\b" + java.util.regex.Pattern.quote(contractPackage) + "(?=[A-Z])", "");
        }
        return s.replace('$', '.');
    }

    /** The package of a contract, with its trailing dot, or empty. */
    static String packageOf(String contract) {
        return contract.contains(".") ? contract.substring(0, contract.lastIndexOf('.') + 1) : "";
    }
}
