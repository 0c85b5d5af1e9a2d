package dev.hermod;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** A thread-safe in-memory servant for {@link Employees}. */
class EmployeesImpl implements Employees {
    private final Map<Integer, String> names = new ConcurrentHashMap<>(Map.of(1, "Ada", 2, "Grace", 99, "Ken"));

    @Override
    public String getName(int number) throws NoSuchEmployee {
        String name = names.get(number);
        if (name == null) {
            throw new NoSuchEmployee(number);
        }
        return name;
    }

    @Override
    public void rename(int number, String name) throws NoSuchEmployee {
        if (names.replace(number, name) == null) {
            throw new NoSuchEmployee(number);
        }
    }

    @Override
    public List<String> names() {
        return List.copyOf(new TreeMap<>(names).values());
    }

    @Override
    public int slowEcho(int value, long sleepMillis) {
        try {
            Thread.sleep(sleepMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return value;
    }

    @Override
    public void fail(String message) {
        throw new IllegalStateException(message, new ArithmeticException("root cause"));
    }

    @Override
    public String whoAmI() {
        Current c = Current.get();
        return c.service() + "/" + c.operation() + " ctx=" + c.context() + " deadline="
                + c.timeRemaining().isPresent();
    }

    /** Public, but not part of the contract: must be unreachable remotely. */
    public String secret() {
        return "secret";
    }
}
