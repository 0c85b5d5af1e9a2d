package dev.hermod.processor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;

/**
 * Checks, at compile time, that an interface written by hand and annotated
 * {@code @CompanionOf(C.class)} or {@code @ServantOf(C.class)} matches the operations of the
 * contract {@code C}, as Hermod checks it again at run time. Each mismatch is a compilation error
 * on the offending method (or on the interface, for what is missing there), naming both sides.
 *
 * <p>A client companion ({@code @CompanionOf}) may offer a subset of the operations; each of its
 * methods has the name and parameter types of an operation and returns {@code AsyncResult} (or a
 * subtype of it) or {@code CompletionStage} of the operation's result type; a typed result
 * ({@code AsyncResult.Throwing<T, X>}) names every checked exception the operation declares, or a
 * superclass of it. A servant companion
 * ({@code @ServantOf}) has a method for every operation, with its name and parameter types,
 * returning either the operation's own result type or a {@code CompletionStage} of it, and
 * declaring no checked exception the operation does not declare.
 *
 * <p>An interface that names a type not generated yet is checked in a later round. Not
 * thread-safe, like the processor that owns it.
 */
final class Pairings {
    private final Operations finder;
    private final Elements elements;
    private final Types types;
    private final Messager messager;
    /** Interfaces to check in the next round, by qualified name, with their module ("" if unnamed). */
    private final Map<String, String> deferred = new LinkedHashMap<>();

    Pairings(Operations finder, Elements elements, Types types, Messager messager) {
        this.finder = finder;
        this.elements = elements;
        this.types = types;
        this.messager = messager;
    }

    /** The interfaces deferred by the previous round that can now be found. */
    List<TypeElement> takeDeferred() {
        List<TypeElement> out = new ArrayList<>();
        deferred.forEach((name, module) -> {
            ModuleElement m = module.isEmpty() ? null : elements.getModuleElement(module);
            TypeElement t = m == null ? elements.getTypeElement(name) : elements.getTypeElement(m, name);
            if (t != null) {
                out.add(t);
            }
        });
        deferred.clear();
        return out;
    }

    /** Processing is over: what is still unresolved, javac reports itself as a missing symbol. */
    void clear() {
        deferred.clear();
    }

    /** Checks one interface carrying {@code @CompanionOf} or {@code @ServantOf}. */
    void check(TypeElement companion) {
        boolean servant = annotation(companion, RemoteProcessor.SERVANT_OF) != null;
        AnnotationMirror claim = annotation(companion, servant ? RemoteProcessor.SERVANT_OF : RemoteProcessor.COMPANION_OF);
        if (claim == null || generatedByHermod(companion)) {
            return;
        }
        String marker = servant ? "@ServantOf" : "@CompanionOf";
        if (companion.getKind() != ElementKind.INTERFACE) {
            error(companion, marker + " marks an interface, but " + companion.getSimpleName() + " is not one");
            return;
        }
        TypeMirror named = value(claim);
        if (named == null || named.getKind() == TypeKind.ERROR || unresolved(companion)) {
            defer(companion);
            return;
        }
        if (named.getKind() != TypeKind.DECLARED) {
            error(companion, marker + " must name a @Remote interface, not " + named);
            return;
        }
        TypeElement contract = (TypeElement) types.asElement(named);
        String role = servant ? "servant companion" : "companion";
        if (annotation(contract, RemoteProcessor.REMOTE) == null) {
            error(companion, companion.getSimpleName() + " claims to be the " + role + " of "
                    + contract.getQualifiedName() + ", which is not annotated @Remote");
            return;
        }
        List<Operation> operations = finder.of(contract, false);
        if (operations == null) {
            return; // the contract's own error is reported where it is compiled, or at run time
        }
        Map<String, Operation> byName = new LinkedHashMap<>();
        for (Operation op : operations) {
            byName.put(op.method().getSimpleName().toString(), op);
        }
        Set<String> answered = new LinkedHashSet<>(); // names the companion has a method for
        for (List<Operation> methods : finder.members(companion).values()) {
            for (Operation method : methods) {
                Operation op = byName.get(method.method().getSimpleName().toString());
                checkMethod(companion, contract, method, op, servant);
                answered.add(method.method().getSimpleName().toString()); // wrong or right, not missing
            }
        }
        if (servant) {
            for (Operation op : operations) {
                if (!answered.contains(op.method().getSimpleName().toString())) {
                    error(companion, companion.getSimpleName() + " has no method for operation "
                            + op.describe() + ": a servant companion answers every operation of "
                            + contract.getSimpleName());
                }
            }
        }
    }

    /** Reports why a method of the companion does not match the operation of its name, if it does not. */
    private void checkMethod(TypeElement companion, TypeElement contract, Operation method,
            Operation op, boolean servant) {
        String what = companion.getSimpleName() + "." + describe(method);
        if (op == null) {
            report(companion, method, what + " matches no operation of " + contract.getSimpleName()
                    + ": it has no operation named '" + method.method().getSimpleName() + "'");
            return;
        }
        if (!sameParameters(method, op)) {
            report(companion, method, what + " does not match " + op.describe() + ": the parameter types differ");
            return;
        }
        TypeElement asyncResult = typeElement(companion, RemoteProcessor.ASYNC_RESULT);
        TypeElement stageType = typeElement(companion, Declarations.COMPLETION_STAGE);
        TypeMirror declared = op.type().getReturnType();
        TypeMirror value = Declarations.resultValue(elements, types, asyncResult, declared);
        TypeMirror returned = method.type().getReturnType();
        boolean stage = types.isSubtype(returned, types.getDeclaredType(stageType, value));
        boolean ok;
        String expected;
        if (servant) {
            ok = stage || types.isSameType(returned, declared);
            expected = simple(declared) + " or CompletionStage<" + simple(value) + ">";
        } else {
            // What a proxy can return: a CompletionStage, or an AsyncResult (or a subtype of it).
            TypeMirror raw = types.erasure(returned);
            ok = stage && (types.isSameType(raw, types.erasure(stageType.asType()))
                    || asyncResult != null && types.isSubtype(raw, types.erasure(asyncResult.asType())));
            expected = "AsyncResult<" + simple(value) + "> or CompletionStage<" + simple(value) + ">";
        }
        if (Declarations.isPublisher(declared)) {
            // A stream is asynchronous already: every companion returns the same publisher.
            ok = types.isSameType(returned, declared);
            expected = simple(declared);
        }
        if (!ok) {
            report(companion, method, what + " returns " + simple(returned) + ", but " + op.describe() + " returns "
                    + simple(declared) + ": a " + (servant ? "servant companion" : "companion")
                    + " method returns " + expected);
            return;
        }
        if (!servant) {
            checkTypedResult(companion, method, op, returned, asyncResult, what);
            return;
        }
        for (TypeMirror thrown : method.type().getThrownTypes()) {
            if (!unchecked(thrown) && op.type().getThrownTypes().stream().noneMatch(d -> types.isSubtype(thrown, d))) {
                report(companion, method, what + " declares " + simple(thrown) + ", which " + op.describe()
                        + " does not declare: a servant may throw only what the operation declares");
            }
        }
    }

    /**
     * A typed result ({@code AsyncResult.Throwing<T, X>}, {@code Throwing2<T, X1, X2>}) names, or
     * names a superclass of, every checked exception the operation declares: the compiler trusts
     * those type arguments when a caller writes {@code catch} around {@code value()}. The message
     * is the one Hermod gives at run time.
     */
    private void checkTypedResult(TypeElement companion, Operation method,
            Operation op, TypeMirror returned, TypeElement asyncResult, String what) {
        if (asyncResult == null || !(returned instanceof DeclaredType typed)
                || !typed.asElement().getEnclosingElement().equals(asyncResult) || typed.getTypeArguments().size() < 2) {
            return; // AsyncResult<T>, whose value() throws Exception, or CompletionStage<T>
        }
        List<TypeMirror> allowed = new ArrayList<>();
        for (TypeMirror arg : typed.getTypeArguments().subList(1, typed.getTypeArguments().size())) {
            allowed.add(upperBound(arg));
        }
        for (TypeMirror thrown : op.type().getThrownTypes()) {
            if (unchecked(thrown) || allowed.stream().anyMatch(a -> types.isSubtype(thrown, a))) {
                continue;
            }
            StringBuilder only = new StringBuilder();
            for (TypeMirror a : allowed) {
                only.append(only.length() == 0 ? "" : ", ").append(types.asElement(a).getSimpleName());
            }
            report(companion, method, what + ": its result type lets value() throw only " + only + ", but the"
                    + " operation declares " + ((TypeElement) types.asElement(thrown)).getQualifiedName()
                    + "; name it among the type arguments, or return AsyncResult<T>, whose value() throws"
                    + " Exception");
            return;
        }
    }

    /** What a type argument stands for: itself, or its upper bound. */
    private TypeMirror upperBound(TypeMirror t) {
        if (t instanceof WildcardType w) {
            return w.getExtendsBound() != null ? upperBound(w.getExtendsBound())
                    : elements.getTypeElement("java.lang.Exception").asType();
        }
        if (t instanceof TypeVariable v) {
            return upperBound(v.getUpperBound());
        }
        return t;
    }

    private boolean sameParameters(Operation a, Operation b) {
        List<? extends TypeMirror> pa = a.type().getParameterTypes();
        List<? extends TypeMirror> pb = b.type().getParameterTypes();
        if (pa.size() != pb.size()) {
            return false;
        }
        for (int i = 0; i < pa.size(); i++) {
            if (!types.isSameType(pa.get(i), pb.get(i))) {
                return false;
            }
        }
        return true;
    }

    private boolean unchecked(TypeMirror thrown) {
        return Declarations.isUnchecked(elements, types, thrown);
    }

    /** Whether the interface names a type that does not exist yet (another processor may make it). */
    private boolean unresolved(TypeElement companion) {
        for (List<Operation> methods : finder.members(companion).values()) {
            for (Operation m : methods) {
                if (Operations.unresolved(m) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Hermod's own companions are right by construction (an older build's output may be compiled again). */
    private boolean generatedByHermod(TypeElement companion) {
        AnnotationMirror generated = annotation(companion, RemoteProcessor.GENERATED);
        if (generated == null) {
            return false;
        }
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
                : generated.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals("value")
                    && e.getValue().toString().contains(RemoteProcessor.class.getName())) {
                return true;
            }
        }
        return false;
    }

    private static AnnotationMirror annotation(Element element, String name) {
        for (AnnotationMirror a : element.getAnnotationMirrors()) {
            if (((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(name)) {
                return a;
            }
        }
        return null;
    }

    /** The class an annotation's {@code value} names, or null. */
    private static TypeMirror value(AnnotationMirror claim) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : claim.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals("value") && e.getValue().getValue() instanceof TypeMirror t) {
                return t;
            }
        }
        return null;
    }

    private TypeElement typeElement(TypeElement context, String name) {
        ModuleElement module = elements.getModuleOf(context);
        TypeElement found = module == null || module.isUnnamed() ? null : elements.getTypeElement(module, name);
        return found != null ? found : elements.getTypeElement(name);
    }

    private void defer(TypeElement companion) {
        ModuleElement module = elements.getModuleOf(companion);
        deferred.put(companion.getQualifiedName().toString(),
                module == null || module.isUnnamed() ? "" : module.getQualifiedName().toString());
    }

    /** {@code fetch(int)}: the method with its parameter types as the companion declares them. */
    private static String describe(Operation method) {
        String full = method.describe();
        return full.substring(full.indexOf('.') + 1);
    }

    /** A type as people write it: {@code List<String>} for {@code java.util.List<java.lang.String>}. */
    private static String simple(TypeMirror type) {
        return type.toString().replaceAll("\\b(?:[a-z_][\\w$]*\\.)+(?=[A-Z])", "");
    }

    /** Reports on the method when the companion declares it, else on the companion. */
    private void report(TypeElement companion, Operation method, String message) {
        error(method.method().getEnclosingElement().equals(companion) ? method.method() : companion, message);
    }

    private void error(Element element, String message) {
        messager.printMessage(Diagnostic.Kind.ERROR, message, element);
    }
}
