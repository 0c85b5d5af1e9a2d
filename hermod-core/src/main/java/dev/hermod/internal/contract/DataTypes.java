package dev.hermod.internal.contract;

import dev.hermod.Remote;
import dev.hermod.tools.ServiceDescription;
import dev.hermod.tools.ServiceDescription.DataType;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Describes the records, beans, enums and object-reference interfaces that a contract's
 * operations take and return, nested ones included, for the describe service. Fields are those
 * the default codec carries: record components in order, and for a bean its public getters,
 * setters and fields by property name, as Jackson names them.
 *
 * <p>Types of the JDK ({@code java.*}, {@code javax.*}) and exceptions are not described: the
 * former are plain data a tool knows, the latter travel only as declared exceptions.
 */
public final class DataTypes {
    private final Map<String, DataType> found = new LinkedHashMap<>();

    private DataTypes() {}

    /** The data types of every operation of {@code contract}, in the order first met, operations by name. */
    public static List<DataType> of(Contract contract) {
        DataTypes walk = new DataTypes();
        for (Operation op : new TreeMap<>(contract.operations()).values()) {
            for (Type t : op.method().getGenericParameterTypes()) {
                walk.visit(t);
            }
            walk.visit(op.resultType());
        }
        return List.copyOf(walk.found.values());
    }

    private void visit(Type type) {
        if (type instanceof ParameterizedType p) {
            visit(p.getRawType());
            for (Type argument : p.getActualTypeArguments()) {
                visit(argument);
            }
        } else if (type instanceof GenericArrayType a) {
            visit(a.getGenericComponentType());
        } else if (type instanceof Class<?> c) {
            visitClass(c);
        }
        // wildcards and type variables never reach a valid contract
    }

    private void visitClass(Class<?> c) {
        if (c.isArray()) {
            visit(c.getComponentType());
            return;
        }
        String name = c.getName();
        if (c.isPrimitive() || name.startsWith("java.") || name.startsWith("javax.") || found.containsKey(name)
                || Throwable.class.isAssignableFrom(c)) {
            return;
        }
        if (c.isInterface()) {
            if (c.isAnnotationPresent(Remote.class)) {
                found.put(name, new DataType(name, DataType.REFERENCE, List.of(), List.of()));
            }
            return;
        }
        if (c.isEnum()) {
            List<String> constants = new ArrayList<>();
            for (Object constant : c.getEnumConstants()) {
                constants.add(((Enum<?>) constant).name());
            }
            found.put(name, new DataType(name, DataType.ENUM, List.of(), constants));
            return;
        }
        if (Modifier.isAbstract(c.getModifiers())) {
            return;
        }
        List<ServiceDescription.Parameter> fields = new ArrayList<>();
        List<Type> nested = new ArrayList<>();
        if (c.isRecord()) {
            for (RecordComponent component : c.getRecordComponents()) {
                fields.add(new ServiceDescription.Parameter(component.getName(),
                        component.getGenericType().getTypeName()));
                nested.add(component.getGenericType());
            }
            // put before walking the nested types, so that a recursive type ends the walk
            found.put(name, new DataType(name, DataType.RECORD, fields, List.of()));
        } else {
            for (Map.Entry<String, Type> p : beanProperties(c).entrySet()) {
                fields.add(new ServiceDescription.Parameter(p.getKey(), p.getValue().getTypeName()));
                nested.add(p.getValue());
            }
            found.put(name, new DataType(name, DataType.BEAN, fields, List.of()));
        }
        nested.forEach(this::visit);
    }

    /** A bean's properties as Jackson finds them by default: public getters, setters and fields. */
    private static Map<String, Type> beanProperties(Class<?> c) {
        Map<String, Type> properties = new TreeMap<>();
        for (Field f : c.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                properties.putIfAbsent(f.getName(), f.getGenericType());
            }
        }
        for (Method m : c.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class || m.isBridge()) {
                continue;
            }
            String n = m.getName();
            if (m.getParameterCount() == 0 && m.getReturnType() != void.class) {
                if (n.startsWith("get") && n.length() > 3) {
                    properties.putIfAbsent(property(n.substring(3)), m.getGenericReturnType());
                } else if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
                    properties.putIfAbsent(property(n.substring(2)), m.getGenericReturnType());
                }
            } else if (m.getParameterCount() == 1 && n.startsWith("set") && n.length() > 3) {
                properties.putIfAbsent(property(n.substring(3)), m.getGenericParameterTypes()[0]);
            }
        }
        return properties;
    }

    /** Jackson's default name for an accessor suffix: the leading capitals in lower case ({@code URL} is {@code url}). */
    private static String property(String suffix) {
        int upper = 0;
        while (upper < suffix.length() && Character.isUpperCase(suffix.charAt(upper))) {
            upper++;
        }
        if (upper == 0) {
            return suffix;
        }
        return suffix.substring(0, upper).toLowerCase(java.util.Locale.ROOT) + suffix.substring(upper);
    }
}
