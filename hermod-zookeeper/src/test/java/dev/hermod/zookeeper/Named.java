package dev.hermod.zookeeper;

import dev.hermod.Idempotent;
import dev.hermod.Remote;

/** The contract the tests call: each server answers with its name, so calls can be counted per server. */
@Remote
public interface Named {
    @Idempotent
    String name();
}
