package dev.hermod;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The servant of {@link Hub}. */
final class HubImpl implements Hub {
    final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    @Override
    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void unsubscribe(Listener listener) {
        if (listeners.remove(listener)) {
            Hermod.release(listener);
        }
    }

    @Override
    public void forget(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public void publishBatch(int count) {
        for (Listener l : listeners) {
            Listener batch = Hermod.batch(l);
            for (int i = 0; i < count; i++) {
                batch.onEvent("batched " + i);
            }
            Hermod.flush(batch);
        }
    }

    @Override
    public int publish(int count) {
        for (Listener l : listeners) {
            Listener oneway = Hermod.oneway(l);
            try {
                for (int i = 0; i < count; i++) {
                    oneway.onEvent("event " + i);
                }
            } catch (ConnectionException | ObjectNotFoundException gone) {
                listeners.remove(l); // its client has gone: forget it
            }
        }
        return listeners.size();
    }

    @Override
    public String callBack(Listener listener, String text) {
        return "server got " + listener.echo(text);
    }

    @Override
    public String provokeFailure(Listener listener) {
        try {
            listener.fail("boom");
            return "no failure";
        } catch (RemoteException e) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            return e.getClass().getSimpleName() + "|" + e.getMessage() + "|" + trace;
        }
    }

    @Override
    public Listener same(Listener listener) {
        return listener;
    }

    @Override
    public Counter newCounter() {
        AtomicInteger n = new AtomicInteger();
        return n::incrementAndGet;
    }

    @Override
    public int read(Counter counter) {
        return counter.increment();
    }

    @Override
    public List<String> subscribers() {
        List<String> names = new ArrayList<>();
        listeners.forEach(l -> names.add(l.toString()));
        return names;
    }
}
