package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class SmokeTest {
    @Test
    void getName_overLoopback_returnsName() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
             Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Employees e = client.proxy(Employees.class, "employees");
            assertThat(e.getName(99)).isEqualTo("Ken");
            assertThat(e.greeting(1)).isEqualTo("Hello, Ada");
            assertThatThrownBy(() -> e.getName(5)).isInstanceOf(NoSuchEmployee.class)
                    .hasMessage("no employee number 5");
            assertThatThrownBy(() -> e.fail("boom")).isInstanceOf(RemoteException.class);
            e.fail("x");
        }
    }
}
