package dev.hermod.examples.employees;

import dev.hermod.Remote;
import java.util.List;

/** The contract of the ZeroC Ice manual's example: a directory of employees by number. */
@Remote
public interface Employees {
    /** Returns the name of an employee. */
    String getName(int number) throws NoSuchEmployee;

    /** Hires someone and returns their new number. */
    int hire(String name);

    /** Lists every employee. */
    List<Employee> list();

    /** Recomputes payroll; fails on the server with an exception the contract does not declare. */
    void runPayroll();

    /** One employee record. */
    record Employee(int number, String name) {}
}
