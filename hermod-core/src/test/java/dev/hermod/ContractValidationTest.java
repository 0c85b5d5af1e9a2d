package dev.hermod;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Contracts Hermod cannot carry are refused at proxy creation and at registration, naming the method. */
final class ContractValidationTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(InvalidContracts.Overloaded.class, "overloaded operation name 'find'",
                        "for method Overloaded.find("),
                Arguments.of(InvalidContracts.ObjectParameter.class, "java.lang.Object",
                        "for method ObjectParameter.put(String, Object)"),
                Arguments.of(InvalidContracts.WildcardResult.class, "result type", "for method WildcardResult.all()"),
                Arguments.of(InvalidContracts.GenericMethod.class, "generic methods", "for method GenericMethod.get(String)"),
                Arguments.of(InvalidContracts.TooBroadException.class, "declares Exception",
                        "for method TooBroadException.run()"),
                Arguments.of(InvalidContracts.UnbuildableException.class, "NoUsableConstructor",
                        "for method UnbuildableException.run()"),
                Arguments.of(InvalidContracts.InterfaceParameter.class, "java.io.Serializable",
                        "for method InterfaceParameter.keep(Serializable)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void proxy_invalidContract_throwsNamingMethod(Class<?> contract, String reason, String method) {
        try (Client client = Hermod.client("tcp://127.0.0.1:1")) {
            assertThatThrownBy(() -> client.proxy(contract, "svc"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(reason)
                    .hasMessageContaining(method);
        }
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void serverStart_invalidContract_throwsNamingMethod(Class<?> contract, String reason, String method) {
        Object servant = java.lang.reflect.Proxy.newProxyInstance(contract.getClassLoader(),
                new Class<?>[] {contract}, (p, m, a) -> null);
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) contract;
        assertThatThrownBy(() -> Hermod.server().host("127.0.0.1").add("svc", type, servant).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining(method);
    }

    @Test
    void proxy_notAnnotated_throws() {
        try (Client client = Hermod.client("tcp://127.0.0.1:1")) {
            assertThatThrownBy(() -> client.proxy(InvalidContracts.NotAnnotated.class, "svc"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not annotated @Remote");
        }
    }

    @Test
    void proxy_classInsteadOfInterface_throws() {
        try (Client client = Hermod.client("tcp://127.0.0.1:1")) {
            assertThatThrownBy(() -> client.proxy(EmployeesImpl.class, "svc"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an interface");
        }
    }

    @Test
    void add_servantWithoutContract_throws() {
        assertThatThrownBy(() -> Hermod.server().add("x", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("implements no @Remote interfaces");
    }

    @Test
    void add_duplicateName_throws() {
        Server.Builder b = Hermod.server().add("e", new EmployeesImpl());
        assertThatThrownBy(() -> b.add("e", new EmployeesImpl()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already bound as 'e'");
    }

    @Test
    void builders_invalidSettings_failAtOnce() {
        assertThatThrownBy(() -> Hermod.server().port(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hermod.client("http://localhost:80")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected tcp://host:port");
        assertThatThrownBy(() -> Hermod.client().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Hermod.client().callTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hermod.client().maxFrameSize(10)).isInstanceOf(IllegalArgumentException.class);
    }
}
