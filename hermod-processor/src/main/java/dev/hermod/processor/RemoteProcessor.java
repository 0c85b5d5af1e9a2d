package dev.hermod.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Hermod's annotation processor: for every interface annotated {@code @dev.hermod.Remote} it
 * generates two companion interfaces. The asynchronous companion, for clients, has methods that
 * take the same parameters as the contract's operations and return {@code dev.hermod.AsyncResult}
 * of their result type, in its typed form that names the operation's checked exceptions
 * ({@code AsyncResult.Throwing<String, NoSuchEmployee>}) so that the result's {@code value()}
 * declares exactly those. The servant companion, for servers, has methods of the same name and
 * parameters that return {@code java.util.concurrent.CompletionStage} of the result type and
 * declare the operation's exceptions: a servant implementing it answers later without holding a
 * thread, while clients keep calling the contract.
 *
 * <p>For a contract {@code com.example.Employees} it writes {@code com.example.EmployeesAsync} and
 * {@code com.example.EmployeesAsyncServant}; for a nested contract {@code com.example.Outer.Inner},
 * the top-level {@code com.example.Outer_InnerAsync} and {@code Outer_InnerAsyncServant}. The
 * companions are annotated {@code @dev.hermod.tools.CompanionOf} and {@code @dev.hermod.tools.ServantOf} with
 * the contract, are public when the contract is accessible from everywhere, have one abstract
 * method per remote operation (inherited operations included; {@code default}, {@code static} and
 * redeclared {@code Object} methods are not operations) and copy each operation's doc comment. The
 * asynchronous companion declares no exceptions: declared exceptions complete the result
 * exceptionally.
 *
 * <p>An interface written by hand and annotated {@code @CompanionOf} or {@code @ServantOf} is
 * checked against the contract it names (see {@link Pairings}): a method whose name, parameter
 * types or result type does not match an operation, or whose typed result leaves out a checked
 * exception the operation declares, is a compilation error on that method.
 *
 * <p>A contract the companion cannot be written for (a class annotated {@code @Remote}, a generic
 * interface, an overloaded operation name, a generic method, a private nested interface) is
 * reported as a compilation error on the offending element and nothing is generated for it. The
 * full validation of a contract happens at run time, when Hermod reads it.
 *
 * <p>Users do not call this class: javac finds it through {@code META-INF/services} (see
 * {@code docs/PROCESSOR.md} for the Maven setup) and drives it. It generates one file per contract
 * with that contract as the only originating element, works across processing rounds (a contract
 * that names a type another processor has yet to generate is retried in the next round) and does
 * not need {@code hermod-core} on the processor path. An instance serves one compilation and is not
 * thread-safe, as javac expects.
 *
 * @since 0.1
 */
@SupportedAnnotationTypes({RemoteProcessor.REMOTE, RemoteProcessor.COMPANION_OF, RemoteProcessor.SERVANT_OF})
public final class RemoteProcessor extends AbstractProcessor {
    static final String REMOTE = "dev.hermod.Remote";
    static final String COMPANION_OF = "dev.hermod.tools.CompanionOf";
    static final String SERVANT_OF = "dev.hermod.tools.ServantOf";
    static final String ASYNC_RESULT = "dev.hermod.AsyncResult";
    static final String GENERATED = "javax.annotation.processing.Generated";

    /** Contracts naming a type not generated yet, by qualified name, with their module ("" if unnamed). */
    private final Map<String, String> deferred = new LinkedHashMap<>();
    /** Why each deferred contract was deferred, for the error if the type never appears. */
    private final Map<String, String> deferredReason = new LinkedHashMap<>();
    /** What this processor generated, by qualified name: its companions need no pairing check. */
    private final Set<String> generatedHere = new HashSet<>();
    /** Checks hand-written companions against their contracts; created by init. */
    private Pairings pairings;
    /** Finds contracts' operations; created by init. */
    private Operations operations;

    private Elements elements;
    private Types types;
    private Filer filer;
    private Messager messager;

    /** Creates the processor; javac calls this through the service loader. */
    public RemoteProcessor() {}

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        elements = env.getElementUtils();
        types = env.getTypeUtils();
        filer = env.getFiler();
        messager = env.getMessager();
        operations = new Operations(elements, types, messager);
        pairings = new Pairings(operations, elements, types, messager);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (round.processingOver()) {
            for (Map.Entry<String, String> e : deferred.entrySet()) {
                TypeElement contract = lookUp(e.getKey(), e.getValue());
                String message = "cannot generate the asynchronous companion of " + e.getKey() + ": "
                        + deferredReason.get(e.getKey());
                if (contract == null) {
                    messager.printMessage(Diagnostic.Kind.ERROR, message);
                } else {
                    messager.printMessage(Diagnostic.Kind.ERROR, message, contract);
                }
            }
            deferred.clear();
            deferredReason.clear();
            pairings.clear();
            return false;
        }
        List<TypeElement> contracts = new ArrayList<>();
        for (Map.Entry<String, String> e : deferred.entrySet()) {
            TypeElement contract = lookUp(e.getKey(), e.getValue());
            if (contract != null) {
                contracts.add(contract);
            }
        }
        deferred.clear();
        deferredReason.clear();
        List<TypeElement> companions = pairings.takeDeferred();
        for (TypeElement annotation : annotations) {
            String name = annotation.getQualifiedName().toString();
            for (Element annotated : round.getElementsAnnotatedWith(annotation)) {
                if (name.equals(REMOTE) && isInterface(annotated)) {
                    contracts.add((TypeElement) annotated);
                } else if (!name.equals(REMOTE) && annotated instanceof TypeElement t
                        && !generatedHere.contains(t.getQualifiedName().toString())) {
                    companions.add(t);
                }
            }
        }
        for (TypeElement contract : contracts) {
            generate(contract);
        }
        for (TypeElement companion : companions) {
            pairings.check(companion);
        }
        // Other processors may act on @Remote too.
        return false;
    }

    private boolean isInterface(Element annotated) {
        if (annotated.getKind() == ElementKind.INTERFACE) {
            return true;
        }
        String what = switch (annotated.getKind()) {
            case ANNOTATION_TYPE -> "an annotation type";
            case ENUM -> "an enum";
            case RECORD -> "a record";
            case CLASS -> "a class";
            default -> "a " + annotated.getKind().toString().toLowerCase(Locale.ROOT);
        };
        error(annotated, "@Remote marks a contract, which must be an interface, but "
                + annotated.getSimpleName() + " is " + what);
        return false;
    }

    private void generate(TypeElement contract) {
        if (!isSupportedContract(contract)) {
            return;
        }
        String unresolved = operations.unresolvedSupertype(contract);
        if (unresolved != null) {
            defer(contract, "its super-interface " + unresolved + " cannot be resolved");
            return;
        }
        List<Operation> ops = operations.of(contract, true);
        if (ops == null) {
            return;
        }
        for (Operation op : ops) {
            String missing = Operations.unresolved(op);
            if (missing != null) {
                defer(contract, "type " + missing + " in " + op.describe() + " cannot be resolved");
                return;
            }
        }
        ModuleElement module = elements.getModuleOf(contract);
        TypeElement asyncResult = typeElement(module, ASYNC_RESULT);
        TypeElement companionOf = typeElement(module, COMPANION_OF);
        String missing = asyncResult == null ? ASYNC_RESULT : companionOf == null ? COMPANION_OF
                : Declarations.member(asyncResult, "Throwing") == null ? ASYNC_RESULT + ".Throwing"
                : Declarations.member(asyncResult, "Throwing2") == null ? ASYNC_RESULT + ".Throwing2" : null;
        if (missing != null) {
            error(contract, "cannot generate the asynchronous companion: " + missing + " is not on the class"
                    + " path; hermod-processor needs hermod-core of the same version");
            return;
        }
        String packageName = elements.getPackageOf(contract).getQualifiedName().toString();
        String simpleName = companionSimpleName(contract);
        String qualifiedName = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
        TypeElement generated = generatedAnnotationVisible(contract) ? typeElement(module, GENERATED) : null;
        CompanionWriter writer = new CompanionWriter(elements, types, contract, packageName, simpleName,
                asyncResult, companionOf, generated, CompanionWriter.Kind.CLIENT);
        write(contract, qualifiedName, writer.write(ops), "the asynchronous companion");
        TypeElement servantOf = typeElement(module, SERVANT_OF);
        if (servantOf == null) {
            messager.printMessage(Diagnostic.Kind.WARNING, "the servant companion of " + contract.getSimpleName()
                    + " is not generated: " + SERVANT_OF + " is not on the class path; hermod-processor needs"
                    + " hermod-core of the same version", contract);
            return;
        }
        String servantName = simpleName + "Servant";
        CompanionWriter servant = new CompanionWriter(elements, types, contract, packageName, servantName,
                asyncResult, servantOf, generated, CompanionWriter.Kind.SERVANT);
        write(contract, packageName.isEmpty() ? servantName : packageName + "." + servantName,
                servant.write(ops), "the servant companion");
    }

    /** Writes one generated source file, whose only originating element is the contract. */
    private void write(TypeElement contract, String qualifiedName, String source, String what) {
        generatedHere.add(qualifiedName);
        try {
            JavaFileObject file = filer.createSourceFile(qualifiedName, contract);
            try (Writer out = file.openWriter()) {
                out.write(source);
            }
        } catch (FilerException e) {
            error(contract, "cannot generate " + qualifiedName + ", " + what + " of "
                    + contract.getQualifiedName() + ": " + e.getMessage()
                    + " (does another type of that name exist?)");
        } catch (IOException e) {
            error(contract, "cannot write " + qualifiedName + ": " + e);
        }
    }

    /** Checks what this processor needs of the contract itself; the rest is checked at run time. */
    private boolean isSupportedContract(TypeElement contract) {
        boolean ok = true;
        if (!contract.getTypeParameters().isEmpty()) {
            error(contract, "@Remote interface " + contract.getSimpleName() + " cannot declare type"
                    + " parameters: every operation needs concrete parameter and result types");
            ok = false;
        }
        for (Element e = contract; e instanceof TypeElement; e = e.getEnclosingElement()) {
            if (e.getModifiers().contains(Modifier.PRIVATE)) {
                error(contract, "@Remote interface " + contract.getSimpleName() + " is not accessible"
                        + " from its package (" + e.getSimpleName() + " is private), so its companion"
                        + " cannot name it");
                ok = false;
                break;
            }
        }
        return ok;
    }

    private void defer(TypeElement contract, String reason) {
        String name = contract.getQualifiedName().toString();
        ModuleElement module = elements.getModuleOf(contract);
        deferred.put(name, module == null || module.isUnnamed() ? "" : module.getQualifiedName().toString());
        deferredReason.put(name, reason);
    }

    private TypeElement lookUp(String name, String module) {
        if (module.isEmpty()) {
            return elements.getTypeElement(name);
        }
        ModuleElement m = elements.getModuleElement(module);
        return m == null ? elements.getTypeElement(name) : elements.getTypeElement(m, name);
    }

    private TypeElement typeElement(ModuleElement module, String name) {
        TypeElement found = module == null || module.isUnnamed() ? null : elements.getTypeElement(module, name);
        return found != null ? found : elements.getTypeElement(name);
    }

    /**
     * Whether the contract's code can name {@code javax.annotation.processing.Generated}: always in
     * the unnamed module; in a named module only if it reads {@code java.compiler}, which a module
     * that merely uses Hermod need not do.
     */
    private boolean generatedAnnotationVisible(TypeElement contract) {
        ModuleElement module = elements.getModuleOf(contract);
        if (module == null || module.isUnnamed()) {
            return true;
        }
        for (ModuleElement.RequiresDirective r : ElementFilter.requiresIn(module.getDirectives())) {
            if (readsCompiler(r.getDependency(), new HashSet<>())) {
                return true;
            }
        }
        return false;
    }

    /** Whether requiring {@code module} makes {@code java.compiler} readable. */
    private static boolean readsCompiler(ModuleElement module, Set<ModuleElement> visited) {
        if (module.getQualifiedName().contentEquals("java.compiler")) {
            return true;
        }
        if (!visited.add(module)) {
            return false;
        }
        for (ModuleElement.RequiresDirective r : ElementFilter.requiresIn(module.getDirectives())) {
            if (r.isTransitive() && readsCompiler(r.getDependency(), visited)) {
                return true;
            }
        }
        return false;
    }

    /** {@code Outer.Inner} becomes {@code Outer_InnerAsync}. */
    static String companionSimpleName(TypeElement contract) {
        StringBuilder name = new StringBuilder(contract.getSimpleName());
        for (Element e = contract.getEnclosingElement(); e instanceof TypeElement; e = e.getEnclosingElement()) {
            name.insert(0, '_').insert(0, e.getSimpleName());
        }
        return name.append("Async").toString();
    }

    private void error(Element element, String message) {
        messager.printMessage(Diagnostic.Kind.ERROR, message, element);
    }

}
