package dev.hermod;

import java.util.List;

/**
 * What a server says about one of its services: its name, its contract and its operations, as
 * {@link Client#describe()} returns them. Tools use it to list and call a server's operations
 * without the contract class (the {@code hermod describe} command).
 *
 * <p>Types are Java type names as the server's contract declares them, generics included
 * ({@code java.util.List<java.lang.String>}). Parameter names are the compiled names: the real
 * ones when the contract was compiled with {@code -parameters}, {@code arg0}, {@code arg1}...
 * otherwise.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the name the service is bound under
 * @param contract the fully qualified name of its {@link Remote @Remote} interface
 * @param operations its operations, by name
 * @since 0.1
 */
public record ServiceDescription(String name, String contract, List<Operation> operations) {

    /**
     * Copies the list.
     */
    public ServiceDescription {
        operations = List.copyOf(operations);
    }

    /**
     * One operation of a service.
     *
     * @param name the operation name
     * @param parameters its parameters, in order
     * @param result the result type; {@code void} for none
     * @param exceptions the declared exceptions that travel as themselves
     * @param async whether the contract declares it asynchronous (returning a {@code CompletionStage})
     * @param onewayCapable whether it may be called oneway: it returns nothing and declares no
     *     exceptions
     */
    public record Operation(String name, List<Parameter> parameters, String result, List<String> exceptions,
            boolean async, boolean onewayCapable) {

        /**
         * Copies the lists.
         */
        public Operation {
            parameters = List.copyOf(parameters);
            exceptions = List.copyOf(exceptions);
        }
    }

    /**
     * One parameter of an operation.
     *
     * @param name the compiled parameter name
     * @param type the declared type
     */
    public record Parameter(String name, String type) {}
}
