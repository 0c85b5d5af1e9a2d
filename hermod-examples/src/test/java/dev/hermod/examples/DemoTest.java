package dev.hermod.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class DemoTest {
    @Test
    void run_printsEachOutcome() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("getName(99)       -> Ken Thompson")
                .contains("NoSuchEmployee: no employee has number 5 (number=5)")
                .contains("hire(...)         -> #100")
                .contains("4 employees:")
                .contains("#100  Barbara Liskov")
                .contains("RemoteException: java.lang.IllegalStateException: payroll database is offline")
                .contains("first frame: dev.hermod.examples.employees.EmployeesImpl.runPayroll(EmployeesImpl.java:")
                .contains("ServiceNotFoundException: no service named 'payroll'")
                .contains("safe to retry: true")
                .contains("done:");
    }
}
