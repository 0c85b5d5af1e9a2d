package dev.hermod.issues.leak;

/** The servant of {@link Greetings}, loaded with it. */
public final class GreetingsImpl implements Greetings {
    @Override
    public Greeting greet(Greeting greeting) {
        return new Greeting("hello " + greeting.to(), greeting.times() + 1);
    }
}
