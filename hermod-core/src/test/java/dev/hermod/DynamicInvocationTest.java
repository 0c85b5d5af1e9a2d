package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Calls by service and operation name, without a contract class: what tools use. */
final class DynamicInvocationTest {
    private static Server server;
    private static Client client;

    @BeforeAll
    static void start() {
        Echo echo = (Echo) java.lang.reflect.Proxy.newProxyInstance(Echo.class.getClassLoader(),
                new Class<?>[] {Echo.class}, (p, m, a) -> a[0]);
        server = Hermod.server().host("127.0.0.1")
                .add("employees", Employees.class, new EmployeesImpl())
                .add("echo", Echo.class, echo)
                .start();
        client = TestServers.client(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void invoke_byName_returnsPlainValue() throws Exception {
        assertThat(client.invoke("employees", "getName", 99).value()).isEqualTo("Ken");
        assertThat(client.invoke("employees", "names").value()).isEqualTo(List.of("Ada", "Grace", "Ken"));
    }

    @Test
    void invoke_mapForRecord_serverDecodesDeclaredType() throws Exception {
        Object back = client.invoke("echo", "point", Map.of("x", 1, "y", -2, "label", "p")).value();
        assertThat(back).isEqualTo(Map.of("x", 1, "y", -2, "label", "p"));
    }

    @Test
    void invoke_declaredException_arrivesAsRemoteExceptionNamingIt() {
        RemoteException e = catchThrowableOfType(RemoteException.class,
                () -> client.invoke("employees", "getName", 5).value());
        assertThat(e.remoteClassName()).isEqualTo(NoSuchEmployee.class.getName());
        assertThat(e.traceback().orElseThrow().message()).contains("no employee number 5");
    }

    @Test
    void invoke_wrongArgumentTypes_failWithMarshal() {
        MarshalException e = catchThrowableOfType(MarshalException.class,
                () -> client.invoke("employees", "getName", "ninety-nine").value());
        assertThat(e.isUnprocessed()).isTrue();
    }

    /** Regression (issue 18): a String parameter accepted a CBOR integer. */
    @Test
    void invoke_numberForStringParameter_failsNamingParameterTypeAndValue() {
        MarshalException e = catchThrowableOfType(MarshalException.class,
                () -> client.invoke("echo", "string", 42).value());
        assertThat(e.isUnprocessed()).isTrue();
        assertThat(e.getMessage()).isEqualTo("cannot decode the arguments of string on service 'echo' as (String):"
                + " parameter 1 (String v): expected a text string, got the integer 42");
    }

    @Test
    void invoke_textForIntParameter_failsNamingParameterTypeAndValue() {
        MarshalException e = catchThrowableOfType(MarshalException.class,
                () -> client.invoke("echo", "concat", "a", "7", Map.of("x", 1, "y", 2)).value());
        assertThat(e.getMessage()).endsWith(": parameter 2 (int b): expected an integer, got the text string \"7\"");
    }

    @Test
    void invoke_wrongFieldInRecord_failsNamingTheField() {
        MarshalException e = catchThrowableOfType(MarshalException.class,
                () -> client.invoke("echo", "point", Map.of("x", "one", "y", 2)).value());
        assertThat(e.getMessage()).endsWith(": parameter 1 (Echo.Point v): at x: expected an integer,"
                + " got the text string \"one\"");
    }

    @Test
    void invoke_unknownOperation_failsWithOperationNotFound() {
        catchThrowableOfType(OperationNotFoundException.class, () -> client.invoke("employees", "fire", 1).value());
    }
}
