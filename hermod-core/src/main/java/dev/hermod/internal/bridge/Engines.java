package dev.hermod.internal.bridge;

/**
 * Finds the engine by class name, as gRPC-java's registries find their hard-coded providers: a
 * string, so that this package depends on no implementation. The class is in this module, so
 * the lookup cannot fail in a correct build.
 */
final class Engines {
    /** The implementation, in {@code dev.hermod.internal.runtime}. */
    private static final String IMPLEMENTATION = "dev.hermod.internal.runtime.EngineImpl";

    static final Engine ENGINE = load();

    private Engines() {}

    private static Engine load() {
        try {
            return (Engine) Class.forName(IMPLEMENTATION, true, Engines.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
