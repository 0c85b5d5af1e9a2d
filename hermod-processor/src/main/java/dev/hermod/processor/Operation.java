package dev.hermod.processor;

import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeMirror;

/** One remote operation: the method and its type as a member of the contract. */
record Operation(ExecutableElement method, ExecutableType type) {
    /** {@code Employees.getName(int)}, for messages. */
    String describe() {
        StringBuilder sb = new StringBuilder(method.getEnclosingElement().getSimpleName()).append('.')
                .append(method.getSimpleName()).append('(');
        List<? extends VariableElement> params = method.getParameters();
        for (int i = 0; i < params.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(simpleTypeName(params.get(i).asType()));
        }
        return sb.append(')').toString();
    }

    /** The simple name without type arguments, like {@code Class.getSimpleName()}. */
    private static String simpleTypeName(TypeMirror type) {
        String s = type.toString();
        int lt = s.indexOf('<');
        String raw = lt < 0 ? s : s.substring(0, lt);
        String dims = lt < 0 ? "" : s.substring(s.lastIndexOf('>') + 1);
        return raw.substring(raw.lastIndexOf('.') + 1) + dims;
    }
}
