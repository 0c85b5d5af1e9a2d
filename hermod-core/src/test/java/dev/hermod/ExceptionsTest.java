package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class ExceptionsTest {
    private static Server server;
    private static Client client;
    private static Employees employees;

    @BeforeAll
    static void start() {
        server = TestServers.employees();
        client = TestServers.client(server);
        employees = client.proxy(Employees.class, "employees");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void declaredException_reraisedAsSameTypeWithFieldsAndCallerStack() {
        NoSuchEmployee e = catchThrowableOfType(NoSuchEmployee.class, () -> employees.getName(404));
        assertThat(e).hasMessage("no employee number 404");
        assertThat(e.number()).isEqualTo(404);
        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("declaredException_reraisedAsSameTypeWithFieldsAndCallerStack");
    }

    @Test
    void declaredException_fromDefaultMethod_propagates() {
        assertThat(catchThrowableOfType(NoSuchEmployee.class, () -> employees.greeting(7)).number()).isEqualTo(7);
    }

    @Test
    void undeclaredException_arrivesAsRemoteExceptionWithRemoteTraceback() {
        RemoteException e = catchThrowableOfType(RemoteException.class, () -> employees.fail("database down"));
        assertThat(e.status()).isEqualTo(Status.REMOTE_FAILURE);
        assertThat(e.isUnprocessed()).isFalse();
        assertThat(e.remoteClassName()).isEqualTo("java.lang.IllegalStateException");
        assertThat(e).hasMessageContaining("database down").hasMessageContaining("fail on service 'employees'");
        RemoteTraceback trace = e.traceback().orElseThrow();
        assertThat(trace.message()).contains("database down");
        assertThat(trace.frames()).anySatisfy(f -> {
            assertThat(f.getClassName()).isEqualTo(EmployeesImpl.class.getName());
            assertThat(f.getMethodName()).isEqualTo("fail");
        });
        assertThat(trace.frames()).as("Hermod's own dispatch frames are cut")
                .noneSatisfy(f -> assertThat(f.getClassName()).startsWith("dev.hermod.internal"));
        assertThat(trace.remoteCause()).hasValueSatisfying(c -> {
            assertThat(c.className()).isEqualTo("java.lang.ArithmeticException");
            assertThat(c.message()).contains("root cause");
        });
        // The caller's own frames come first, then the remote traceback as the cause.
        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("undeclaredException_arrivesAsRemoteExceptionWithRemoteTraceback");
        StringWriter printed = new StringWriter();
        e.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString())
                .contains("Caused by: Remote traceback: java.lang.IllegalStateException: database down")
                .contains("at " + EmployeesImpl.class.getName() + ".fail(EmployeesImpl.java:")
                .contains("Remote traceback: java.lang.ArithmeticException: root cause");
    }

    @Test
    void undeclaredException_withStackTracesOff_sendsClassNameAndMessageOnly() {
        try (Server quiet = Hermod.server().host("127.0.0.1").sendStackTraces(false)
                        .add("employees", Employees.class, new EmployeesImpl()).start();
                Client c = TestServers.client(quiet)) {
            RemoteException e = catchThrowableOfType(RemoteException.class,
                    () -> c.proxy(Employees.class, "employees").fail("secret detail"));
            RemoteTraceback trace = e.traceback().orElseThrow();
            assertThat(trace.className()).isEqualTo("java.lang.IllegalStateException");
            assertThat(trace.message()).contains("secret detail");
            assertThat(trace.frames()).isEmpty();
            assertThat(trace.remoteCause()).isEmpty();
        }
    }

    @Test
    void unknownService_failsWithServiceNotFound_andConnectionKeepsWorking() {
        Employees nobody = client.proxy(Employees.class, "nobody");
        ServiceNotFoundException e = catchThrowableOfType(ServiceNotFoundException.class, () -> nobody.getName(1));
        assertThat(e.status()).isEqualTo(Status.SERVICE_NOT_FOUND);
        assertThat(e.isUnprocessed()).isTrue();
        assertThat(e).hasMessageContaining("'nobody'");
        assertThat(employees.names()).contains("Ada");
    }

    @Test
    void unknownOperation_failsWithOperationNotFound() throws NoSuchEmployee {
        Mismatched.NewerEmployees newer = client.proxy(Mismatched.NewerEmployees.class, "employees");
        OperationNotFoundException e = catchThrowableOfType(OperationNotFoundException.class, () -> newer.fire(1));
        assertThat(e.isUnprocessed()).isTrue();
        assertThat(e).hasMessageContaining("'fire'");
        assertThat(newer.getName(2)).isEqualTo("Grace");
    }

    @Test
    void publicServantMethodOutsideContract_isUnreachable() {
        Mismatched.NewerEmployees newer = client.proxy(Mismatched.NewerEmployees.class, "employees");
        catchThrowableOfType(OperationNotFoundException.class, newer::secret);
    }

    @Test
    void undecodableArguments_failWithMarshal_unprocessed() {
        Mismatched.WrongArguments wrong = client.proxy(Mismatched.WrongArguments.class, "employees");
        MarshalException e = catchThrowableOfType(MarshalException.class, () -> wrong.getName("ninety-nine"));
        assertThat(e.status()).isEqualTo(Status.MARSHAL);
        assertThat(e.isUnprocessed()).isTrue();
        assertThat(e).hasMessageContaining("cannot decode the arguments of getName");
        assertThat(employees.names()).isNotEmpty();
    }

    @Test
    void undecodableResult_failsWithMarshal_processed() {
        Mismatched.WrongResult wrong = client.proxy(Mismatched.WrongResult.class, "employees");
        MarshalException e = catchThrowableOfType(MarshalException.class, wrong::names);
        assertThat(e.isUnprocessed()).isFalse();
        assertThat(e).hasMessageContaining("cannot decode the result of names");
    }

    @Test
    void timeout_failsWithInvocationTimeout_andNextCallWorks() {
        Employees impatient = Hermod.withOptions(employees, o -> o.withTimeout(Duration.ofMillis(200)));
        InvocationTimeoutException e = catchThrowableOfType(InvocationTimeoutException.class,
                () -> impatient.slowEcho(1, 1_000));
        assertThat(e.status()).isEqualTo(Status.TIMEOUT);
        assertThat(e).hasMessageContaining("timed out after 200 ms");
        // the next call on the same connection, with the default timeout: 200 ms can pass on a
        // loaded machine before even a quick reply is read
        assertThat(employees.slowEcho(2, 0)).isEqualTo(2);
    }

    @Test
    void rpcException_fromSyncCall_isFreshCopyWithOriginalAsCause() {
        Employees nobody = client.proxy(Employees.class, "nobody");
        ServiceNotFoundException e = catchThrowableOfType(ServiceNotFoundException.class, () -> nobody.names());
        assertThat(e.getCause()).isInstanceOf(ServiceNotFoundException.class).isNotSameAs(e);
        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("rpcException_fromSyncCall_isFreshCopyWithOriginalAsCause");
    }
}
