package dev.hermod;

import java.util.List;

/** What Hermod's annotation processor generates for {@link Employees}, written out for the core's tests. */
@CompanionOf(Employees.class)
public interface EmployeesAsync {
    AsyncResult<String> getName(int number);

    AsyncResult<Void> rename(int number, String name);

    AsyncResult<List<String>> names();

    AsyncResult<Integer> slowEcho(int value, long sleepMillis);

    AsyncResult<Void> fail(String message);

    AsyncResult<String> whoAmI();
}
