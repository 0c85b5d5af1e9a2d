package dev.hermod.test;

import java.util.concurrent.atomic.AtomicInteger;

final class GreeterImpl implements Greeter {
    private final String greeting;
    private final AtomicInteger count = new AtomicInteger();

    GreeterImpl(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public String greet(String name) {
        count.incrementAndGet();
        return greeting + ", " + name;
    }

    @Override
    public int count() {
        return count.get();
    }
}
