package dev.hermod;

import dev.hermod.tools.CompanionOf;
import java.util.List;

/**
 * What Hermod's annotation processor generates for {@link Employees}, written out for the core's
 * tests: each method's result names the checked exception of its operation, if any, so that
 * {@code value()} declares it and nothing broader.
 */
@CompanionOf(Employees.class)
public interface EmployeesAsync {
    AsyncResult.Throwing<String, NoSuchEmployee> getName(int number);

    AsyncResult.Throwing<Void, NoSuchEmployee> rename(int number, String name);

    AsyncResult.Throwing<List<String>, RuntimeException> names();

    AsyncResult.Throwing<Integer, RuntimeException> slowEcho(int value, long sleepMillis);

    AsyncResult.Throwing<Void, RuntimeException> fail(String message);

    AsyncResult.Throwing<String, RuntimeException> whoAmI();
}
