package dev.hermod.issues.leak;

/** A value type of {@link Greetings}, loaded with it. */
public record Greeting(String to, int times) {}
