package dev.hermod.examples.employees;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.RemoteException;
import dev.hermod.test.HermodExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The employees service tested as its users would test theirs: with Hermod's test kit, a server in
 * process for each test, and the contract and its generated companion injected.
 */
final class EmployeesServiceTest {
    @RegisterExtension
    final HermodExtension hermod = HermodExtension.inProcess().add("employees", Employees.class, new EmployeesImpl());

    @Test
    void getName_findsKnownEmployees_andThrowsTheDeclaredException(Employees employees) throws Exception {
        assertThat(employees.getName(7)).isEqualTo("Ada Lovelace");
        assertThatThrownBy(() -> employees.getName(5)).isInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void hire_thenList_asynchronously(EmployeesAsync employees) throws Exception {
        int number = employees.hire("Barbara Liskov").value();

        assertThat(employees.list().value()).contains(new Employees.Employee(number, "Barbara Liskov"));
        assertThat(employees.getName(number).value()).isEqualTo("Barbara Liskov");
    }

    @Test
    void runPayroll_failure_reachesTheCaller_asARemoteException(Employees employees) {
        assertThatThrownBy(employees::runPayroll).isInstanceOf(RemoteException.class);
    }
}
