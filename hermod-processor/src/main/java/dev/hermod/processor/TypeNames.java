package dev.hermod.processor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.lang.model.element.Element;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;

/**
 * Writes type names for one generated file, importing what can be imported without changing the
 * meaning of any name, so the source reads like hand-written code.
 *
 * <p>A simple name is used for at most one type in the file (the first to ask for it). A type of
 * another package is imported unless a type of the same simple name lives in the generated file's
 * package (which the import would hide) or is the generated type itself; a {@code java.lang} type
 * is written simply unless the package has a type of that name, which would hide it. Everything
 * else is written fully qualified.
 */
final class TypeNames {
    private final Elements elements;
    private final ModuleElement module;
    private final String packageName;
    /** Simple name to the qualified name of the type that owns it in this file. */
    private final Map<String, String> owners = new HashMap<>();
    private final SortedSet<String> imports = new TreeSet<>();

    TypeNames(Elements elements, ModuleElement module, String packageName, String generatedSimpleName) {
        this.elements = elements;
        this.module = module;
        this.packageName = packageName;
        owners.put(generatedSimpleName, qualify(packageName, generatedSimpleName));
    }

    /** The imports needed by the names handed out so far, sorted. */
    SortedSet<String> imports() {
        return imports;
    }

    /** The name of a type element: {@code Employees}, {@code Outer.Inner}, {@code com.x.Name}. */
    String name(TypeElement type) {
        Deque<String> path = new ArrayDeque<>();
        TypeElement top = type;
        while (top.getNestingKind() == NestingKind.MEMBER) {
            path.push(top.getSimpleName().toString());
            top = (TypeElement) top.getEnclosingElement();
        }
        StringBuilder name = new StringBuilder(topLevelName(top));
        for (String member : path) {
            name.append('.').append(member);
        }
        return name.toString();
    }

    /** The source form of a type, type arguments included and type annotations left out. */
    String name(TypeMirror type) {
        switch (type.getKind()) {
            case BOOLEAN: case BYTE: case SHORT: case INT: case LONG: case CHAR: case FLOAT: case DOUBLE:
            case VOID:
                return type.getKind().toString().toLowerCase(Locale.ROOT);
            case ARRAY:
                return name(((ArrayType) type).getComponentType()) + "[]";
            case DECLARED:
                return declared((DeclaredType) type);
            case WILDCARD:
                WildcardType w = (WildcardType) type;
                if (w.getExtendsBound() != null) {
                    return "? extends " + name(w.getExtendsBound());
                }
                if (w.getSuperBound() != null) {
                    return "? super " + name(w.getSuperBound());
                }
                return "?";
            default:
                // Type variables cannot occur: generic contracts and generic methods are rejected.
                return type.toString();
        }
    }

    private String declared(DeclaredType type) {
        TypeElement element = (TypeElement) type.asElement();
        TypeMirror enclosing = type.getEnclosingType();
        StringBuilder name = new StringBuilder();
        if (enclosing.getKind() == TypeKind.DECLARED
                && !((DeclaredType) enclosing).getTypeArguments().isEmpty()) {
            // An inner class of a parameterized class: Outer<String>.Inner
            name.append(declared((DeclaredType) enclosing)).append('.').append(element.getSimpleName());
        } else {
            name.append(name(element));
        }
        List<? extends TypeMirror> args = type.getTypeArguments();
        if (!args.isEmpty()) {
            name.append('<');
            for (int i = 0; i < args.size(); i++) {
                name.append(i == 0 ? "" : ", ").append(name(args.get(i)));
            }
            name.append('>');
        }
        return name.toString();
    }

    private String topLevelName(TypeElement type) {
        String simple = type.getSimpleName().toString();
        String qualified = type.getQualifiedName().toString();
        String owner = owners.get(simple);
        if (owner != null) {
            return owner.equals(qualified) ? simple : qualified;
        }
        String pkg = elements.getPackageOf(type).getQualifiedName().toString();
        if (pkg.equals(packageName)) {
            owners.put(simple, qualified);
            return simple;
        }
        if (existsInPackage(simple)) {
            return qualified;
        }
        owners.put(simple, qualified);
        if (!pkg.equals("java.lang")) {
            imports.add(qualified);
        }
        return simple;
    }

    private boolean existsInPackage(String simple) {
        String name = qualify(packageName, simple);
        Element found = module == null || module.isUnnamed() ? null : elements.getTypeElement(module, name);
        return found != null || elements.getTypeElement(name) != null;
    }

    private static String qualify(String packageName, String simple) {
        return packageName.isEmpty() ? simple : packageName + "." + simple;
    }
}
