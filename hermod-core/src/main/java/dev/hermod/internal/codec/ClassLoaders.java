package dev.hermod.internal.codec;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds which application class loader a list of declared types belongs to. */
final class ClassLoaders {
    private ClassLoaders() {}

    /**
     * Returns a class among {@code types} (type arguments and array components included) whose
     * loader is an application's: neither the boot nor the platform loader nor {@code own} or one
     * of its ancestors. When several loaders appear, a class of the one that descends from the
     * others; null when every class belongs to the JDK or to {@code own}'s side.
     */
    static Class<?> deepestApplicationClass(List<Type> types, ClassLoader own) {
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (Type t : types) {
            collect(t, classes, 0);
        }
        Class<?> deepest = null;
        for (Class<?> c : classes) {
            ClassLoader l = c.getClassLoader();
            if (l == null || l == ClassLoader.getPlatformClassLoader() || isAncestorOrSame(l, own)) {
                continue;
            }
            if (deepest == null || isAncestorOrSame(deepest.getClassLoader(), l)) {
                deepest = c;
            }
        }
        return deepest;
    }

    private static boolean isAncestorOrSame(ClassLoader candidate, ClassLoader of) {
        for (ClassLoader l = of; l != null; l = l.getParent()) {
            if (l == candidate) {
                return true;
            }
        }
        return false;
    }

    private static void collect(Type t, Set<Class<?>> out, int depth) {
        if (t == null || depth > 64) {
            return;
        }
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            out.add(c);
        } else if (t instanceof ParameterizedType p) {
            collect(p.getRawType(), out, depth + 1);
            collect(p.getOwnerType(), out, depth + 1);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, out, depth + 1);
            }
        } else if (t instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), out, depth + 1);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, out, depth + 1);
            }
        }
        // A TypeVariable is rejected later by the type check; nothing to collect from it.
    }
}
