package dev.hermod.examples.employees;

import dev.hermod.Current;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory, thread-safe implementation of {@link Employees}. */
public final class EmployeesImpl implements Employees {
    private final Map<Integer, String> names = new ConcurrentSkipListMap<>();
    private final AtomicInteger next = new AtomicInteger(100);

    public EmployeesImpl() {
        names.put(7, "Ada Lovelace");
        names.put(42, "Grace Hopper");
        names.put(99, "Ken Thompson");
    }

    @Override
    public String getName(int number) throws NoSuchEmployee {
        String name = names.get(number);
        if (name == null) {
            throw new NoSuchEmployee(number);
        }
        return name;
    }

    @Override
    public int hire(String name) {
        int number = next.getAndIncrement();
        names.put(number, name);
        String by = Current.get().context().getOrDefault("user", "somebody");
        System.out.printf("  [server] %s hired %s as #%d%n", by, name, number);
        return number;
    }

    @Override
    public List<Employee> list() {
        List<Employee> all = new ArrayList<>();
        names.forEach((n, name) -> all.add(new Employee(n, name)));
        return all;
    }

    @Override
    public void runPayroll() {
        throw new IllegalStateException("payroll database is offline",
                new java.io.IOException("connection refused: payroll-db:5432"));
    }
}
