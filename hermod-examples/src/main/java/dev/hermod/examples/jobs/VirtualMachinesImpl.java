package dev.hermod.examples.jobs;

import dev.hermod.Current;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A simulated hypervisor: booting takes {@code steps} steps of {@code stepMillis} each. */
public final class VirtualMachinesImpl implements VirtualMachines {
    private static final String[] STEPS = {"allocating memory", "attaching disks", "loading firmware",
        "booting kernel", "starting services"};
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final long stepMillis;

    public VirtualMachinesImpl(long stepMillis, String... names) {
        this.stepMillis = stepMillis;
        for (String n : names) {
            states.put(n, "stopped");
        }
    }

    @Override
    public List<String> list() {
        return states.keySet().stream().sorted().toList();
    }

    @Override
    public String start(String name) throws NoSuchMachine {
        state(name);
        Current current = Current.get();
        states.put(name, "starting");
        try {
            for (int i = 0; i < STEPS.length; i++) {
                if (current.isCanceled()) {
                    break;
                }
                current.progress((double) i / STEPS.length, STEPS[i]);
                Thread.sleep(stepMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // canceled by the caller: stop booting
        }
        if (current.isCanceled() || Thread.currentThread().isInterrupted()) {
            states.put(name, "stopped");
            return "stopped";
        }
        current.progress(1.0, "running");
        states.put(name, "running");
        return "running";
    }

    @Override
    public String state(String name) throws NoSuchMachine {
        String s = states.get(name);
        if (s == null) {
            throw new NoSuchMachine("no machine named " + name);
        }
        return s;
    }
}
