package dev.hermod.examples.jobs;

import dev.hermod.Remote;
import java.util.List;

/**
 * Long-running operations in the style of the Parallels SDK: starting a virtual machine takes a
 * while, reports progress, and can be canceled.
 */
@Remote
public interface VirtualMachines {
    /** The names of the machines. */
    List<String> list();

    /** Boots a machine: a job of several steps that reports progress; returns its final state. */
    String start(String name) throws NoSuchMachine;

    /** The state of a machine: {@code stopped}, {@code starting} or {@code running}. */
    String state(String name) throws NoSuchMachine;
}
