package dev.hermod.issues.leak;

import dev.hermod.Remote;

/**
 * A contract that {@code ClassLoaderLeakTest} loads in a throw-away class loader, as an
 * application redeployed in a container would: nothing else may load this package.
 */
@Remote
public interface Greetings {
    Greeting greet(Greeting greeting);
}
