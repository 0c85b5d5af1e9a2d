package dev.hermod.processor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.Messager;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;

/**
 * Finds a contract's remote operations as javac sees them: the abstract methods of the interface
 * and its super-interfaces, each typed as a member of the contract, with overloads and generic
 * methods reported as errors. Also tells whether a contract names a type not generated yet. Used
 * by {@link RemoteProcessor} for the contracts it generates companions of and by {@link Pairings}
 * for the companions it checks. One instance per compilation; not thread-safe, like javac's
 * processing environment.
 */
final class Operations {
    private final Elements elements;
    private final Types types;
    private final Messager messager;

    Operations(Elements elements, Types types, Messager messager) {
        this.elements = elements;
        this.types = types;
        this.messager = messager;
    }

    /**
     * The contract's remote operations in a stable order (its own in declaration order, then
     * inherited ones, depth-first along the {@code extends} clauses); or null if it has an error,
     * reported only when {@code report} is set (a contract is reported where it is processed, not
     * again where a companion names it).
     */
    List<Operation> of(TypeElement contract, boolean report) {
        List<Operation> operations = new ArrayList<>();
        boolean ok = true;
        for (Map.Entry<String, List<Operation>> e : members(contract).entrySet()) {
            Operation op = single(contract, e.getKey(), e.getValue(), report);
            if (op == null) {
                ok = false;
                continue;
            }
            if (!op.method().getTypeParameters().isEmpty()) {
                if (report) {
                    report(contract, op.method(), "generic method '" + e.getKey() + "' cannot be a remote"
                            + " operation: Hermod carries values by their declared types, so declare concrete"
                            + " types (" + op.describe() + ")");
                }
                ok = false;
                continue;
            }
            operations.add(op);
        }
        return ok ? operations : null;
    }

    /**
     * The abstract methods of an interface that would be remote operations, by name, each with
     * its type as a member of the interface: {@code default}, {@code static} and redeclared
     * {@code Object} methods are left out.
     */
    Map<String, List<Operation>> members(TypeElement type) {
        List<ExecutableElement> visible = new ArrayList<>();
        collectVisibleMethods(type, type, visible, new HashSet<>());
        DeclaredType site = (DeclaredType) type.asType();
        Map<String, List<Operation>> byName = new LinkedHashMap<>();
        for (ExecutableElement m : visible) {
            Set<Modifier> modifiers = m.getModifiers();
            if (!modifiers.contains(Modifier.ABSTRACT) || modifiers.contains(Modifier.STATIC)
                    || m.isDefault() || redeclaresObjectMethod(m)) {
                continue;
            }
            ExecutableType member = (ExecutableType) types.asMemberOf(site, m);
            byName.computeIfAbsent(m.getSimpleName().toString(), k -> new ArrayList<>())
                    .add(new Operation(m, member));
        }
        return byName;
    }

    /**
     * Adds the methods of {@code type} and its super-interfaces that are members of the contract:
     * a method overridden by one already collected is left out, and one that overrides a collected
     * method replaces it.
     */
    private void collectVisibleMethods(TypeElement contract, TypeElement type, List<ExecutableElement> out,
            Set<TypeElement> visited) {
        if (!visited.add(type)) {
            return;
        }
        for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
            if (m.getModifiers().contains(Modifier.STATIC) || m.getModifiers().contains(Modifier.PRIVATE)) {
                continue; // not inherited, never an operation
            }
            boolean hidden = false;
            for (ExecutableElement seen : out) {
                if (elements.overrides(seen, m, contract)) {
                    hidden = true;
                    break;
                }
            }
            if (hidden) {
                continue;
            }
            out.removeIf(seen -> elements.overrides(m, seen, contract));
            out.add(m);
        }
        for (TypeMirror parent : type.getInterfaces()) {
            if (parent.getKind() == TypeKind.DECLARED) {
                collectVisibleMethods(contract, (TypeElement) types.asElement(parent), out, visited);
            }
        }
    }

    /**
     * The one operation behind a name. Methods of one name inherited from unrelated super-interfaces
     * with the same parameter types are one method in Java, so one operation; any other pair is an
     * overload, which Hermod cannot tell apart on the wire.
     */
    private Operation single(TypeElement contract, String name, List<Operation> candidates, boolean report) {
        Operation first = candidates.get(0);
        for (Operation other : candidates.subList(1, candidates.size())) {
            if (!sameErasedParameters(first.type(), other.type())) {
                if (!report) {
                    return null;
                }
                StringBuilder all = new StringBuilder();
                for (Operation c : candidates) {
                    all.append(all.length() == 0 ? "" : ", ").append(c.describe());
                }
                // The contract's own second declaration, else its only one, else the contract.
                List<Operation> own = candidates.stream()
                        .filter(c -> c.method().getEnclosingElement().equals(contract))
                        .collect(Collectors.toList());
                Operation culprit = own.isEmpty() ? other : own.get(Math.min(1, own.size() - 1));
                report(contract, culprit.method(), "overloaded operation name '" + name + "': Hermod"
                        + " identifies operations by name, so each must be unique; rename one of " + all);
                return null;
            }
        }
        // Override-equivalent: the most specific result type is the member's.
        for (Operation c : candidates) {
            boolean mostSpecific = true;
            for (Operation other : candidates) {
                if (!types.isSubtype(c.type().getReturnType(), other.type().getReturnType())) {
                    mostSpecific = false;
                    break;
                }
            }
            if (mostSpecific) {
                return c;
            }
        }
        return first;
    }

    private boolean sameErasedParameters(ExecutableType a, ExecutableType b) {
        List<? extends TypeMirror> pa = a.getParameterTypes();
        List<? extends TypeMirror> pb = b.getParameterTypes();
        if (pa.size() != pb.size()) {
            return false;
        }
        for (int i = 0; i < pa.size(); i++) {
            if (!types.isSameType(types.erasure(pa.get(i)), types.erasure(pb.get(i)))) {
                return false;
            }
        }
        return true;
    }

    /** {@code equals}, {@code hashCode}, {@code toString} and friends are answered locally. */
    private boolean redeclaresObjectMethod(ExecutableElement m) {
        TypeElement object = elements.getTypeElement("java.lang.Object");
        for (ExecutableElement o : ElementFilter.methodsIn(object.getEnclosedElements())) {
            if (!o.getModifiers().contains(Modifier.PUBLIC) || !o.getSimpleName().equals(m.getSimpleName())
                    || o.getParameters().size() != m.getParameters().size()) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < o.getParameters().size(); i++) {
                TypeMirror a = types.erasure(o.getParameters().get(i).asType());
                TypeMirror b = types.erasure(m.getParameters().get(i).asType());
                if (!types.isSameType(a, b)) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    /** The first super-interface of {@code type}, at any depth, that cannot be resolved (yet), or null. */
    String unresolvedSupertype(TypeElement type) {
        return unresolvedSupertype(type, new HashSet<>());
    }

    private String unresolvedSupertype(TypeElement type, Set<TypeElement> visited) {
        if (!visited.add(type)) {
            return null;
        }
        for (TypeMirror parent : type.getInterfaces()) {
            if (parent.getKind() == TypeKind.ERROR) {
                return parent.toString();
            }
            if (parent.getKind() == TypeKind.DECLARED) {
                String missing = unresolvedSupertype((TypeElement) types.asElement(parent), visited);
                if (missing != null) {
                    return missing;
                }
            }
        }
        return null;
    }

    /** The first type in the operation's signature that cannot be resolved (yet), or null. */
    static String unresolved(Operation op) {
        String missing = unresolved(op.type().getReturnType());
        for (TypeMirror p : op.type().getParameterTypes()) {
            if (missing == null) {
                missing = unresolved(p);
            }
        }
        return missing;
    }

    /** The first type that does not exist (yet) inside {@code type}, or null. */
    private static String unresolved(TypeMirror type) {
        switch (type.getKind()) {
            case ERROR:
                return type.toString();
            case ARRAY:
                return unresolved(((ArrayType) type).getComponentType());
            case DECLARED:
                for (TypeMirror arg : ((DeclaredType) type).getTypeArguments()) {
                    String missing = unresolved(arg);
                    if (missing != null) {
                        return missing;
                    }
                }
                return null;
            case WILDCARD:
                WildcardType w = (WildcardType) type;
                TypeMirror bound = w.getExtendsBound() != null ? w.getExtendsBound() : w.getSuperBound();
                return bound == null ? null : unresolved(bound);
            default:
                return null;
        }
    }

    /** Reports on the method when it is declared in the contract, else on the contract. */
    private void report(TypeElement contract, ExecutableElement method, String message) {
        Element at = method.getEnclosingElement().equals(contract) ? method : contract;
        messager.printMessage(Diagnostic.Kind.ERROR, message, at);
    }
}
