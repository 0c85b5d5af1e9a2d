package dev.hermod.processor;

import static dev.hermod.processor.RemoteProcessorTest.signatures;
import static dev.hermod.processor.RemoteProcessorTest.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated companions' result types name each operation's checked exceptions, so user code
 * compiles when it catches exactly those around {@code value()}, and not when it catches less or
 * something the operation does not throw. Each test compiles user code with javac, as a user's
 * build would.
 */
final class TypedCompanionTest {
    private static final String NO_SUCH_EMPLOYEE = """
            package com.example;

            public class NoSuchEmployee extends Exception {
                private static final long serialVersionUID = 1L;
                private int number;

                public NoSuchEmployee(String message) {
                    super(message);
                }

                public NoSuchEmployee(int number) {
                    super("no employee has number " + number);
                    this.number = number;
                }

                public int number() {
                    return number;
                }
            }
            """;

    private static final String ACCESS_DENIED = """
            package com.example;

            public class AccessDenied extends Exception {
                private static final long serialVersionUID = 1L;

                public AccessDenied(String message) {
                    super(message);
                }
            }
            """;

    private static final String EMPLOYEES = """
            package com.example;

            @dev.hermod.Remote
            public interface Employees {
                String getName(int number) throws NoSuchEmployee;

                void rename(int number, String name) throws NoSuchEmployee, AccessDenied;

                int count();
            }
            """;

    /** Compiles the contract and its exceptions, the processor, and {@code usage} as com/example/Usage.java. */
    private static InMemoryCompiler.Result withUsage(String usage) {
        return InMemoryCompiler.withProcessor(
                "com/example/NoSuchEmployee.java", NO_SUCH_EMPLOYEE,
                "com/example/AccessDenied.java", ACCESS_DENIED,
                "com/example/Employees.java", EMPLOYEES,
                "com/example/Usage.java", usage);
    }

    @Test
    void process_oneCheckedException_userCodeCatchingOnlyItAroundValueCompiles() {
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                final class Usage {
                    static String nameOf(EmployeesAsync employees, int number) {
                        var r = employees.getName(number);
                        try {
                            return r.value();
                        } catch (NoSuchEmployee e) {
                            return "none: " + e.number();
                        }
                    }

                    static String typed(EmployeesAsync employees) {
                        dev.hermod.AsyncResult.Throwing<String, NoSuchEmployee> r = employees.getName(99);
                        try {
                            return r.expireAfter(java.time.Duration.ofSeconds(1)).onResponse(n -> { }).value();
                        } catch (NoSuchEmployee e) {
                            return null;
                        }
                    }
                }
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        assertThat(result.warnings()).isEmpty();
        assertThat(result.source("com.example.EmployeesAsync"))
                .contains("    AsyncResult.Throwing<String, NoSuchEmployee> getName(int number);\n");
    }

    @Test
    void process_broadAsyncResult_userCodeMustCatchException() {
        // The control: held as the common supertype, value() is throws Exception again.
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                final class Usage {
                    static String nameOf(EmployeesAsync employees) {
                        dev.hermod.AsyncResult<String> r = employees.getName(99);
                        try {
                            return r.value();
                        } catch (NoSuchEmployee e) {
                            return null;
                        }
                    }
                }
                """);

        assertThat(result.success()).isFalse();
        assertThat(result.errors()).containsExactly(
                "unreported exception java.lang.Exception; must be caught or declared to be thrown");
    }

    @Test
    void process_oneCheckedException_valueThrowsNothingBroader() {
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                final class Usage {
                    static String nameOf(EmployeesAsync employees) {
                        try {
                            return employees.getName(99).value();
                        } catch (NoSuchEmployee e) {
                            return null;
                        } catch (java.io.IOException e) {
                            return null;
                        }
                    }
                }
                """);

        assertThat(result.errors()).containsExactly(
                "exception java.io.IOException is never thrown in body of corresponding try statement");
    }

    @Test
    void process_twoCheckedExceptions_bothNamedAndBothMustBeCaught() throws Exception {
        InMemoryCompiler.Result both = withUsage("""
                package com.example;

                final class Usage {
                    static String rename(EmployeesAsync employees) {
                        dev.hermod.AsyncResult.Throwing2<Void, NoSuchEmployee, AccessDenied> r =
                                employees.rename(1, "Ada");
                        try {
                            r.waitForCompleted().value();
                            return "renamed";
                        } catch (NoSuchEmployee e) {
                            return "none";
                        } catch (AccessDenied e) {
                            return "denied";
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return "interrupted";
                        }
                    }
                }
                """);
        assertThat(both.success()).as("%s", both).isTrue();
        assertThat(both.source("com.example.EmployeesAsync")).contains(
                "    AsyncResult.Throwing2<Void, NoSuchEmployee, AccessDenied> rename(int number, String name);\n");
        assertThat(signatures(both.loader().loadClass("com.example.EmployeesAsync"))).containsEntry(
                "rename(int, java.lang.String)",
                "dev.hermod.AsyncResult$Throwing2<java.lang.Void, com.example.NoSuchEmployee, com.example.AccessDenied>");

        InMemoryCompiler.Result onlyOne = withUsage("""
                package com.example;

                final class Usage {
                    static void rename(EmployeesAsync employees) {
                        try {
                            employees.rename(1, "Ada").value();
                        } catch (NoSuchEmployee e) {
                            // AccessDenied is not handled
                        }
                    }
                }
                """);
        assertThat(onlyOne.errors()).containsExactly(
                "unreported exception com.example.AccessDenied; must be caught or declared to be thrown");
    }

    @Test
    void process_noCheckedException_valueNeedsNoTry() {
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                final class Usage {
                    static int count(EmployeesAsync employees) {
                        return employees.count().value();
                    }
                }
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        assertThat(result.source("com.example.EmployeesAsync"))
                .contains("    AsyncResult.Throwing<Integer, RuntimeException> count();\n");
    }

    @Test
    void process_moreCheckedExceptions_narrowestCommonSuperclass() throws Exception {
        InMemoryCompiler.Result result = InMemoryCompiler.withProcessor("com/example/Files.java", """
                package com.example;

                import java.io.FileNotFoundException;
                import java.io.IOException;
                import java.nio.file.AccessDeniedException;
                import java.util.concurrent.TimeoutException;

                @dev.hermod.Remote
                public interface Files {
                    // A subclass of another declared exception takes no place; unchecked ones neither.
                    byte[] read(String path) throws IOException, FileNotFoundException, IllegalArgumentException;

                    // Three IOExceptions: IOException.
                    void copy(String from, String to)
                            throws FileNotFoundException, AccessDeniedException, java.io.EOFException;

                    // Nothing in common but Exception.
                    void sync() throws IOException, TimeoutException, InterruptedException;

                    // Two after all: both others are FileSystemExceptions.
                    long size(String path) throws java.nio.file.FileSystemException, AccessDeniedException,
                            TimeoutException, java.nio.file.NoSuchFileException;
                }
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        Map<String, String> signatures = signatures(result.loader().loadClass("com.example.FilesAsync"));
        assertThat(signatures).containsEntry("read(java.lang.String)",
                "dev.hermod.AsyncResult$Throwing<byte[], java.io.IOException>");
        assertThat(signatures).containsEntry("copy(java.lang.String, java.lang.String)",
                "dev.hermod.AsyncResult$Throwing<java.lang.Void, java.io.IOException>");
        assertThat(signatures).containsEntry("sync()",
                "dev.hermod.AsyncResult$Throwing<java.lang.Void, java.lang.Exception>");
        assertThat(signatures).containsEntry("size(java.lang.String)", "dev.hermod.AsyncResult$Throwing2"
                + "<java.lang.Long, java.nio.file.FileSystemException, java.util.concurrent.TimeoutException>");
    }

    @Test
    void process_exceptionFromGenericSuperInterface_isSubstituted() throws Exception {
        InMemoryCompiler.Result result = InMemoryCompiler.withProcessor(
                "com/example/NoSuchEmployee.java", NO_SUCH_EMPLOYEE,
                "com/example/Repository.java", """
                package com.example;

                public interface Repository<T, X extends Exception> {
                    T find(String id) throws X;

                    int size();
                }
                """,
                "com/example/People.java", """
                package com.example;

                @dev.hermod.Remote
                public interface People extends Repository<String, NoSuchEmployee> {}
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        assertThat(signatures(result.loader().loadClass("com.example.PeopleAsync"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "find(java.lang.String)", "dev.hermod.AsyncResult$Throwing<java.lang.String, com.example.NoSuchEmployee>",
                "size()", unchecked("java.lang.Integer")));
    }

    @Test
    void process_checkedThrowableThatIsNotAnException_fallsBackToAsyncResult() throws Exception {
        InMemoryCompiler.Result result = InMemoryCompiler.withProcessor("com/example/Odd.java", """
                package com.example;

                @dev.hermod.Remote
                public interface Odd {
                    void run() throws Odd.Strange;

                    class Strange extends Throwable {
                        private static final long serialVersionUID = 1L;
                    }
                }
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        Method run = result.loader().loadClass("com.example.OddAsync").getMethod("run");
        assertThat(run.getReturnType()).isEqualTo(AsyncResult.class);
    }

    /** Generated, compiled and run: user code catching only the declared exception, over loopback. */
    @Test
    void generatedCompanion_overLoopback_declaredExceptionCaughtAndUndeclaredOneArrivesAsRemoteException()
            throws Exception {
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                import dev.hermod.Client;
                import dev.hermod.RemoteException;

                public final class Usage {
                    public static String nameOf(Client client, int number) {
                        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
                        var r = employees.getName(number);
                        try {
                            return r.value();
                        } catch (NoSuchEmployee e) {
                            return "no such employee " + e.number();
                        } catch (RemoteException e) {            // unchecked: this catch is optional
                            return "remote failure " + e.remoteClassName();
                        }
                    }

                    /** The servant: 13 fails with an IOException it does not declare. */
                    public static final class Servant implements Employees {
                        @Override
                        public String getName(int number) throws NoSuchEmployee {
                            if (number == 13) {
                                throw Servant.<RuntimeException>sneaky(new java.io.IOException("disk gone"));
                            }
                            if (number != 1) {
                                throw new NoSuchEmployee(number);
                            }
                            return "Ada";
                        }

                        @Override
                        public void rename(int number, String name) {}

                        @Override
                        public int count() {
                            return 1;
                        }

                        @SuppressWarnings("unchecked")
                        private static <E extends Throwable> E sneaky(Throwable t) throws E {
                            throw (E) t;
                        }
                    }
                }
                """);
        assertThat(result.success()).as("%s", result).isTrue();
        ClassLoader loader = result.loader();
        Object servant = loader.loadClass("com.example.Usage$Servant").getConstructor().newInstance();
        Method nameOf = loader.loadClass("com.example.Usage").getMethod("nameOf", Client.class, int.class);

        try (Server server = Hermod.server().host("127.0.0.1").add("employees", servant).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            assertThat(nameOf.invoke(null, client, 1)).isEqualTo("Ada");
            assertThat(nameOf.invoke(null, client, 5)).isEqualTo("no such employee 5");
            assertThat(nameOf.invoke(null, client, 13)).isEqualTo("remote failure java.io.IOException");
        }
    }

    // --- hand-written companions: a typed result must name every checked exception ---

    private static final String MISSES_ONE = """
            package com.example;

            import dev.hermod.AsyncResult;

            @dev.hermod.tools.CompanionOf(Employees.class)
            public interface MissesOne {
                AsyncResult.Throwing<Void, NoSuchEmployee> rename(int number, String name);
            }
            """;

    /** What both the processor and the run time say about MissesOne, around the method's name. */
    private static final String MISSES_ONE_REASON = "its result type lets value() throw only NoSuchEmployee, but"
            + " the operation declares com.example.AccessDenied; name it among the type arguments, or return"
            + " AsyncResult<T>, whose value() throws Exception";

    @Test
    void process_handWrittenTypedResultMissingADeclaredException_reportsErrorOnMethod() {
        InMemoryCompiler.Result result = InMemoryCompiler.withProcessor(
                "com/example/NoSuchEmployee.java", NO_SUCH_EMPLOYEE,
                "com/example/AccessDenied.java", ACCESS_DENIED,
                "com/example/Employees.java", EMPLOYEES,
                "com/example/MissesOne.java", MISSES_ONE);

        assertThat(result.errors()).containsExactly("MissesOne.rename(int, String): " + MISSES_ONE_REASON);
        assertThat(RemoteProcessorTest.onlyError(result).getLineNumber()).isEqualTo(7);
    }

    @Test
    void runTime_handWrittenTypedResultMissingADeclaredException_refusedForTheSameReason() throws Exception {
        // Compiled without the processor, the companion reaches run time, where Hermod says the same.
        InMemoryCompiler.Result compiled = InMemoryCompiler.of(
                "com/example/NoSuchEmployee.java", NO_SUCH_EMPLOYEE,
                "com/example/AccessDenied.java", ACCESS_DENIED,
                "com/example/Employees.java", EMPLOYEES,
                "com/example/MissesOne.java", MISSES_ONE).compile();
        assertThat(compiled.success()).as("%s", compiled).isTrue();
        Class<?> companion = compiled.loader().loadClass("com.example.MissesOne");

        try (Client client = Hermod.client("tcp://127.0.0.1:1")) {
            assertThatThrownBy(() -> client.proxy(companion, "employees"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(MISSES_ONE_REASON + " (for method MissesOne.rename(int, String))");
        }
    }

    @Test
    void process_handWrittenTypedResultsNamingEachOrASuperclass_areAccepted() {
        InMemoryCompiler.Result result = withUsage("""
                package com.example;

                import dev.hermod.AsyncResult;

                @dev.hermod.tools.CompanionOf(Employees.class)
                interface Usage {
                    AsyncResult.Throwing2<Void, AccessDenied, NoSuchEmployee> rename(int number, String name);

                    AsyncResult.Throwing<String, Exception> getName(int number);

                    AsyncResult<Integer> count();
                }
                """);

        assertThat(result.success()).as("%s", result).isTrue();
        assertThat(result.warnings()).isEmpty();
    }
}
