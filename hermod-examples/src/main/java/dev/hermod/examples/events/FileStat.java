package dev.hermod.examples.events;

import java.time.Instant;

/**
 * What the monitor sees of a file: the fields of {@code os.stat()} that tell a change.
 *
 * @param exists whether the file exists
 * @param size its size in bytes, 0 if it does not exist
 * @param modified its last modification time, null if it does not exist
 */
public record FileStat(boolean exists, long size, Instant modified) {}
