package dev.hermod.tools;

import dev.hermod.Client;
import dev.hermod.Remote;
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
 * <p>{@link #types()} describes the records, beans and enums that the operations take and return,
 * nested ones included, with their fields, so that a tool can build an argument without the
 * contract's classes. A server older than this list sends none: the list is then empty.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the name the service is bound under
 * @param contract the fully qualified name of its {@link Remote @Remote} interface
 * @param operations its operations, by name
 * @param types the records, beans, enums and object-reference interfaces the operations use,
 *     by name
 * @since 0.1
 */
public record ServiceDescription(String name, String contract, List<Operation> operations, List<DataType> types) {

    /**
     * Copies the lists; a null {@code types} (from a server that does not send them) is empty.
     *
     * @param name the name the service is bound under
     * @param contract the fully qualified name of its contract
     * @param operations its operations
     * @param types the types the operations use; null for none
     */
    public ServiceDescription {
        operations = List.copyOf(operations);
        types = types == null ? List.of() : List.copyOf(types);
    }

    /**
     * A description without types.
     *
     * @param name the name the service is bound under
     * @param contract the fully qualified name of its contract
     * @param operations its operations
     */
    public ServiceDescription(String name, String contract, List<Operation> operations) {
        this(name, contract, operations, List.of());
    }

    /**
     * Returns the description of a type the operations use.
     *
     * @param typeName the type name as {@link DataType#name()} gives it
     * @return the description, or empty if the type is not a record, bean, enum or reference
     *     this service uses
     */
    public java.util.Optional<DataType> type(String typeName) {
        return types.stream().filter(t -> t.name().equals(typeName)).findFirst();
    }

    /**
     * A record, bean, enum or object-reference interface that the operations of a service take or
     * return.
     *
     * @param name the type's binary name ({@code com.example.Employees$Employee} for a nested
     *     type), as parameter and result type names spell it
     * @param kind what it is: {@code "record"}, {@code "bean"} (a class with a no-argument
     *     constructor and properties), {@code "enum"}, or {@code "reference"} (a
     *     {@link Remote @Remote} interface: it travels as an object reference, never as data)
     * @param fields for a record or bean, its fields as the default codec carries them (record
     *     components in order; bean properties by name); empty otherwise
     * @param constants for an enum, its constant names in order; empty otherwise
     */
    public record DataType(String name, String kind, List<Parameter> fields, List<String> constants) {

        /** Kind of a record. */
        public static final String RECORD = "record";
        /** Kind of a bean. */
        public static final String BEAN = "bean";
        /** Kind of an enum. */
        public static final String ENUM = "enum";
        /** Kind of a {@code @Remote} interface, passed by reference. */
        public static final String REFERENCE = "reference";

        /**
         * Copies the lists; null lists are empty.
         *
         * @param name the type's binary name
         * @param kind {@link #RECORD}, {@link #BEAN}, {@link #ENUM} or {@link #REFERENCE}
         * @param fields a record's or bean's fields; null for none
         * @param constants an enum's constant names; null for none
         */
        public DataType {
            fields = fields == null ? List.of() : List.copyOf(fields);
            constants = constants == null ? List.of() : List.copyOf(constants);
        }
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
         *
         * @param name the operation name
         * @param parameters its parameters, in order
         * @param result the result type; {@code void} for none
         * @param exceptions the declared exceptions that travel as themselves
         * @param async whether the contract declares it asynchronous
         * @param onewayCapable whether it may be called oneway
         */
        public Operation {
            parameters = List.copyOf(parameters);
            exceptions = List.copyOf(exceptions);
        }
    }

    /**
     * One parameter of an operation, or one field of a {@link DataType}.
     *
     * @param name the compiled parameter name, or the field name
     * @param type the declared type
     */
    public record Parameter(String name, String type) {}
}
