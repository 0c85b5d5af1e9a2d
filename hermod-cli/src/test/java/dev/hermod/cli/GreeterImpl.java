package dev.hermod.cli;

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
}
