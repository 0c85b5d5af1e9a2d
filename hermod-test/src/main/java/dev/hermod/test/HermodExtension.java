package dev.hermod.test;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.tools.CompanionOf;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a Hermod server with the servants a test gives it, and hands the test a client of it and
 * proxies of its services: a JUnit 5 extension, registered in a field.
 *
 * <pre>{@code
 * class EmployeesTest {
 *     @RegisterExtension
 *     static final HermodExtension hermod = HermodExtension.inProcess()
 *             .add("employees", Employees.class, new EmployeesImpl());
 *
 *     @Test
 *     void findsAda(Employees employees, EmployeesAsync async) throws Exception {
 *         assertThat(employees.getName(1)).isEqualTo("Ada");
 *         assertThat(async.getName(1).value()).isEqualTo("Ada");
 *     }
 * }
 * }</pre>
 *
 * <p>In a {@code static} field, one server and one client serve the whole test class (started
 * before all its tests, closed after them); in an instance field, each test gets its own. Test
 * methods, constructors and lifecycle methods may declare parameters of type {@link Client},
 * {@link Server}, or a contract or one of its companions ({@code EmployeesAsync}): such a
 * parameter gets a proxy of the service bound with that contract, or of the one its
 * {@link Service @Service} annotation names when several are.
 *
 * <p>{@link #inProcess()} servers listen in the JVM ({@code inproc://}), with no port and every
 * semantic of TCP (the same frames through the same pipeline); {@link #overTcp()} servers listen
 * on a free loopback port, for tests that need a real socket.
 *
 * <p>Configure it before the tests run (not thread-safe then); once running, its accessors are
 * thread-safe.
 *
 * @since 0.3
 */
public final class HermodExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final boolean inProcess;
    private final List<Binding> services = new ArrayList<>();
    private UnaryOperator<Server.Builder> serverSettings = UnaryOperator.identity();
    private UnaryOperator<Client.Builder> clientSettings = UnaryOperator.identity();
    private boolean perClass;
    private volatile Server server;
    private volatile Client client;

    private record Binding(String name, Class<?> contract, Object servant) {}

    private HermodExtension(boolean inProcess) {
        this.inProcess = inProcess;
    }

    /**
     * Returns an extension whose server listens in the JVM, under a name of its own.
     *
     * @return a new extension with no service bound
     */
    public static HermodExtension inProcess() {
        return new HermodExtension(true);
    }

    /**
     * Returns an extension whose server listens on a free port of {@code 127.0.0.1}.
     *
     * @return a new extension with no service bound
     */
    public static HermodExtension overTcp() {
        return new HermodExtension(false);
    }

    /**
     * Binds a servant, as {@link Server.Builder#add(String, Class, Object)} does.
     *
     * @param name the service name
     * @param contract the contract, or a servant form of it
     * @param servant the servant
     * @param <T> the contract type
     * @return this extension
     */
    public <T> HermodExtension add(String name, Class<T> contract, T servant) {
        services.add(new Binding(Objects.requireNonNull(name, "name"), Objects.requireNonNull(contract, "contract"),
                Objects.requireNonNull(servant, "servant")));
        return this;
    }

    /**
     * Applies further server settings (limits, executor, authenticator...) before it starts.
     * Where it listens is the extension's choice.
     *
     * @param settings changes the builder and returns it
     * @return this extension
     */
    public HermodExtension server(UnaryOperator<Server.Builder> settings) {
        this.serverSettings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * Applies further client settings (timeouts, credentials...) to the client the extension
     * makes. Its target is the extension's choice.
     *
     * @param settings changes the builder and returns it
     * @return this extension
     */
    public HermodExtension client(UnaryOperator<Client.Builder> settings) {
        this.clientSettings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * Returns the running server.
     *
     * @return the server
     * @throws IllegalStateException outside the tests the extension serves
     */
    public Server server() {
        return running(server, "server");
    }

    /**
     * Returns the client of the running server.
     *
     * @return the client
     * @throws IllegalStateException outside the tests the extension serves
     */
    public Client client() {
        return running(client, "client");
    }

    /**
     * Returns a proxy of a service of the running server.
     *
     * @param contract the contract or one of its companions
     * @param service the service name
     * @param <T> the proxy type
     * @return a proxy
     */
    public <T> T proxy(Class<T> contract, String service) {
        return client().proxy(contract, service);
    }

    /**
     * Returns a proxy of the one service bound with {@code contract} (or the contract a
     * companion belongs to).
     *
     * @param contract the contract or one of its companions
     * @param <T> the proxy type
     * @return a proxy
     * @throws IllegalArgumentException if no service, or more than one, is bound with that contract
     */
    public <T> T proxy(Class<T> contract) {
        return proxy(contract, serviceOf(contract));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Client.class || type == Server.class
                || (type.isInterface() && (type.isAnnotationPresent(dev.hermod.Remote.class)
                        || type.isAnnotationPresent(CompanionOf.class)));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == Client.class) {
            return client();
        }
        if (type == Server.class) {
            return server();
        }
        try {
            java.util.Optional<Service> named = parameter.findAnnotation(Service.class);
            return named.isPresent() ? proxy(type, named.get().value()) : proxy(type);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ParameterResolutionException("cannot inject " + parameter.getParameter() + ": " + e.getMessage(), e);
        }
    }

    private String serviceOf(Class<?> type) {
        CompanionOf companion = type.getAnnotation(CompanionOf.class);
        Class<?> contract = companion != null ? companion.value() : type;
        List<String> names = new ArrayList<>();
        for (Binding b : services) {
            if (contract.isAssignableFrom(b.contract()) || servesContract(b.contract(), contract)) {
                names.add(b.name());
            }
        }
        if (names.size() != 1) {
            throw new IllegalArgumentException((names.isEmpty() ? "no service is" : "services " + names + " are")
                    + " bound with " + contract.getName() + (names.isEmpty() ? "" : ": name one with @Service"));
        }
        return names.get(0);
    }

    /** Whether a servant form ({@code @ServantOf}) was bound for the contract. */
    private static boolean servesContract(Class<?> bound, Class<?> contract) {
        dev.hermod.tools.ServantOf servant = bound.getAnnotation(dev.hermod.tools.ServantOf.class);
        return servant != null && servant.value() == contract;
    }

    private void start() {
        Server.Builder builder = serverSettings.apply(Hermod.server());
        if (inProcess) {
            builder.inProcess("hermod-test-" + NAMES.incrementAndGet());
        } else {
            builder.host("127.0.0.1");
        }
        for (Binding b : services) {
            add(builder, b);
        }
        server = builder.start();
        client = clientSettings.apply(Hermod.client().target(server.target())).build();
    }

    @SuppressWarnings("unchecked")
    private static <T> void add(Server.Builder builder, Binding b) {
        builder.add(b.name(), (Class<T>) b.contract(), (T) b.servant());
    }

    private void stop() {
        Client c = client;
        Server s = server;
        client = null;
        server = null;
        if (c != null) {
            c.close();
        }
        if (s != null) {
            s.close();
        }
    }

    private static <T> T running(T value, String what) {
        if (value == null) {
            throw new IllegalStateException("the " + what + " runs only while the extension serves a test");
        }
        return value;
    }
}
