package dev.hermod.processor;

import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * What the generated companions share: the value type an operation's result carries, and method
 * declarations laid out as the project lays out its own code (lines of at most 100 characters,
 * parameters filled greedily, continuation lines indented twice).
 */
final class Declarations {
    static final String INDENT = "    ";
    static final String COMPLETION_STAGE = "java.util.concurrent.CompletionStage";
    private static final String CONTINUATION = INDENT + INDENT + INDENT;
    private static final int MAX_LINE = 100;

    private Declarations() {}

    /**
     * The type an operation's result carries, boxed: a method that is asynchronous already (it
     * returns {@code AsyncResult<T>} or {@code CompletionStage<T>}) carries {@code T}, as at run
     * time; {@code void} carries {@code Void}, {@code int} carries {@code Integer}.
     */
    /** Whether {@code type} is {@code java.util.concurrent.Flow.Publisher<T>}: a streamed result. */
    static boolean isPublisher(TypeMirror type) {
        return type instanceof DeclaredType d
                && ((TypeElement) d.asElement()).getQualifiedName().contentEquals("java.util.concurrent.Flow.Publisher");
    }

    static TypeMirror resultValue(Elements elements, Types types, TypeElement asyncResult, TypeMirror declared) {
        TypeMirror result = declared;
        if (declared instanceof DeclaredType d && !d.getTypeArguments().isEmpty()) {
            Element e = d.asElement();
            boolean asyncResultOrTyped = asyncResult != null
                    && (e.equals(asyncResult) || e.getEnclosingElement().equals(asyncResult));
            if (asyncResultOrTyped || ((TypeElement) e).getQualifiedName().contentEquals(COMPLETION_STAGE)) {
                result = d.getTypeArguments().get(0);
            }
        }
        if (result.getKind() == TypeKind.VOID) {
            return elements.getTypeElement("java.lang.Void").asType();
        }
        return result.getKind().isPrimitive() ? types.boxedClass(types.getPrimitiveType(result.getKind())).asType()
                : result;
    }

    /**
     * The checked exceptions an operation declares, in declaration order, leaving out unchecked
     * ones and any that is a subclass of another declared one (it is caught with it).
     */
    static List<TypeMirror> checkedExceptions(Elements elements, Types types, List<? extends TypeMirror> thrown) {
        List<TypeMirror> checked = new ArrayList<>();
        for (TypeMirror t : thrown) {
            if (!isUnchecked(elements, types, t)) {
                checked.add(t);
            }
        }
        List<TypeMirror> out = new ArrayList<>();
        for (int i = 0; i < checked.size(); i++) {
            TypeMirror t = checked.get(i);
            boolean covered = false;
            for (int j = 0; j < checked.size() && !covered; j++) {
                TypeMirror other = checked.get(j);
                // A strict subtype is covered; of two identical ones the first is kept.
                covered = j != i && types.isSubtype(t, other) && (!types.isSameType(t, other) || j < i);
            }
            if (!covered) {
                out.add(t);
            }
        }
        return out;
    }

    /** Whether a thrown type is a {@code RuntimeException} or an {@code Error}. */
    static boolean isUnchecked(Elements elements, Types types, TypeMirror thrown) {
        return types.isSubtype(thrown, elements.getTypeElement("java.lang.RuntimeException").asType())
                || types.isSubtype(thrown, elements.getTypeElement("java.lang.Error").asType());
    }

    /** The member type of that simple name ({@code AsyncResult.Throwing}), or null. */
    static TypeElement member(TypeElement type, String simpleName) {
        for (Element e : type.getEnclosedElements()) {
            if (e instanceof TypeElement t && t.getSimpleName().contentEquals(simpleName)) {
                return t;
            }
        }
        return null;
    }

    /** Each parameter of an operation as {@code Type name}, a trailing varargs parameter kept as such. */
    static List<String> parameters(TypeNames names, Operation op) {
        ExecutableElement method = op.method();
        List<String> params = new ArrayList<>();
        List<? extends TypeMirror> paramTypes = op.type().getParameterTypes();
        for (int i = 0; i < paramTypes.size(); i++) {
            TypeMirror type = paramTypes.get(i);
            String typeName = method.isVarArgs() && i == paramTypes.size() - 1 && type.getKind() == TypeKind.ARRAY
                    ? names.name(((ArrayType) type).getComponentType()) + "..."
                    : names.name(type);
            params.add(typeName + " " + method.getParameters().get(i).getSimpleName());
        }
        return params;
    }

    /**
     * Appends an abstract method declaration: {@code start} (the result type, name and opening
     * parenthesis), the parameters, the closing parenthesis, then {@code tail} (a {@code throws}
     * clause or nothing) and the semicolon. What does not fit on one line continues on the next.
     */
    static void method(StringBuilder out, String start, List<String> params, String tail) {
        String oneLine = INDENT + start + String.join(", ", params) + ")" + tail + ";";
        if (oneLine.length() <= MAX_LINE) {
            out.append(oneLine).append('\n');
            return;
        }
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            boolean last = i == params.size() - 1;
            pieces.add(params.get(i) + (last ? ")" + (tail.isEmpty() ? ";" : "") : ","));
        }
        StringBuilder line = new StringBuilder(INDENT).append(start);
        if (params.isEmpty()) {
            line.append(')').append(tail.isEmpty() ? ";" : "");
        }
        if (!tail.isEmpty()) {
            pieces.add(tail.strip() + ";");
        }
        // Break after the parenthesis too when not even the first parameter fits behind it: a
        // client method's typed result type can be long.
        for (String piece : pieces) {
            boolean open = line.toString().endsWith("(");
            if (line.length() + (open ? 0 : 1) + piece.length() > MAX_LINE) {
                out.append(line).append('\n');
                line = new StringBuilder(CONTINUATION).append(piece);
            } else {
                line.append(open ? "" : " ").append(piece);
            }
        }
        out.append(line).append('\n');
    }

    /** The whole file: package, imports (those {@code names} handed out), then the type. */
    static String file(String packageName, TypeNames names, CharSequence head, CharSequence body) {
        StringBuilder source = new StringBuilder();
        if (!packageName.isEmpty()) {
            source.append("package ").append(packageName).append(";\n\n");
        }
        for (String imported : names.imports()) {
            source.append("import ").append(imported).append(";\n");
        }
        if (!names.imports().isEmpty()) {
            source.append('\n');
        }
        return source.append(head).append(body).append("}\n").toString();
    }

    /** Whether a contract can be named from everywhere, so that its companions are public too. */
    static boolean isPublic(TypeElement contract) {
        for (Element e = contract; e instanceof TypeElement; e = e.getEnclosingElement()) {
            if (!e.getModifiers().contains(Modifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends what stands between a generated interface's doc comment and its body: the
     * annotations ({@code @Deprecated} when the contract is, the marker naming the contract,
     * {@code @Generated} where the module can see it) and the interface line.
     */
    static void declaration(StringBuilder head, Elements elements, TypeNames names, TypeElement contract,
            TypeElement marker, TypeElement generated, String simpleName) {
        if (elements.isDeprecated(contract)) {
            head.append("@Deprecated\n");
        }
        head.append('@').append(names.name(marker)).append('(').append(names.name(contract)).append(".class)\n");
        if (generated != null) {
            head.append('@').append(names.name(generated))
                    .append("(\"").append(RemoteProcessor.class.getName()).append("\")\n");
        }
        head.append(isPublic(contract) ? "public " : "").append("interface ").append(simpleName).append(" {\n");
    }
}
