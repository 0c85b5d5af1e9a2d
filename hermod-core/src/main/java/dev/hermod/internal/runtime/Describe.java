package dev.hermod.internal.runtime;

import dev.hermod.Remote;
import dev.hermod.tools.ServiceDescription;
import java.util.List;

/**
 * The service every server binds under the reserved name {@code hermod}: it describes the
 * server's services, for tools. An ordinary contract, so it travels like any other call.
 */
@Remote
public interface Describe {
    /** The reserved service name. */
    String SERVICE = "hermod";

    /** Describes every service the application bound on the server, in the order they were bound. */
    List<ServiceDescription> describe();
}
