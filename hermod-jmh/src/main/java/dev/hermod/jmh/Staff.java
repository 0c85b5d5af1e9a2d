package dev.hermod.jmh;

import dev.hermod.Remote;
import java.util.List;

/**
 * A contract whose argument is a record: Jackson writes it as a CBOR map, so its cost includes
 * the property names, which a {@code byte[]} argument does not have.
 */
@Remote
public interface Staff {
    /** Records {@code employee}. */
    void hire(Employee employee);

    /** Records every one of {@code employees}: a list of records, as listings and batch calls carry. */
    void hireAll(List<Employee> employees);

    /**
     * A small value of a few fields, as business calls carry.
     *
     * @param id the employee number
     * @param name the full name
     * @param email the address
     * @param department the department's name
     * @param level the grade
     * @param active whether the employee is active
     */
    record Employee(long id, String name, String email, String department, int level, boolean active) {}
}
