package dev.hermod.cli;

import java.util.List;

import dev.hermod.Current;

/** The servant the command tests serve, also by class name through {@code hermod serve}. */
public final class GreeterImpl implements Greeter {
    public GreeterImpl() {}

    @Override
    public String greet(String name) throws Nobody {
        if (name.isEmpty()) {
            throw new Nobody("nobody to greet");
        }
        return "Hello, " + name;
    }

    @Override
    public int add(int a, int b) {
        return a + b;
    }

    @Override
    public Point move(Point p, int dx) {
        return new Point(p.x() + dx, p.y());
    }

    @Override
    public void ping() {}

    @Override
    public String contextValue(String key) {
        return Current.get().context().get(key);
    }

    @Override
    public String sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return "slept";
    }

    @Override
    public String label(Person person) {
        return person.name() + " (" + person.level() + ") " + person.tags();
    }

    @Override
    public int sum(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void watch(Listener listener) {
        listener.greeted("watched");
    }
}
