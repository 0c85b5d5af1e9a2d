package dev.hermod.internal.contract;

import dev.hermod.Remote;
import dev.hermod.tools.ServantOf;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * A servant served as a contract under a name: a service bound on a server, or an object
 * exported on a connection (named {@code @n}). The servant implements the contract, or a servant
 * form of it ({@link ServantOf}) whose methods may answer later; {@link #method} and
 * {@link #answersLater} tell dispatch how it answers each operation, decided once, when it is
 * bound. Immutable.
 *
 * @param answers the servant form's method for each operation, by name; empty when the servant
 *     implements the contract itself
 */
public record Service(String name, Contract contract, Object servant, Map<String, Companions.Answer> answers) {

    /** A servant that implements the contract itself. */
    public Service(String name, Contract contract, Object servant) {
        this(name, contract, servant, Map.of());
    }

    /** Copies the answers. */
    public Service {
        answers = Map.copyOf(answers);
    }

    /**
     * Binds a servant under a name as {@code type}: a {@link Remote @Remote} contract, or an
     * interface annotated {@link ServantOf @ServantOf}, which serves the contract it names.
     *
     * @throws IllegalArgumentException if the contract is invalid, or the servant form does not
     *     match it (the message names the method)
     */
    public static Service bind(String name, Contracts contracts, Class<?> type, Object servant) {
        ServantOf form = type.getAnnotation(ServantOf.class);
        if (form == null) {
            return new Service(name, contracts.get(type), servant);
        }
        if (!form.value().isAnnotationPresent(Remote.class)) {
            throw new IllegalArgumentException(type.getName() + " is a servant companion of "
                    + form.value().getName() + ", which is not annotated @Remote");
        }
        Contract contract = contracts.get(form.value());
        return new Service(name, contract, servant, Companions.answers(contract, type));
    }

    /** The servant's method that answers {@code op}. */
    public Method method(Operation op) {
        Companions.Answer a = answers.get(op.name());
        return a == null ? op.method() : a.method();
    }

    /** Whether the servant answers {@code op} later, when the {@code CompletionStage} its method returns completes. */
    public boolean answersLater(Operation op) {
        Companions.Answer a = answers.get(op.name());
        return a == null ? op.isAsync() : a.later();
    }
}
