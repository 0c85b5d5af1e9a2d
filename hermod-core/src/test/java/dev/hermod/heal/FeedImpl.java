package dev.hermod.heal;

import dev.hermod.ConnectionException;
import dev.hermod.Listener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Subscribers in a list; the failures of lost ones kept for the test to read. */
final class FeedImpl implements Feed {
    final List<Listener> subscribers = new CopyOnWriteArrayList<>();
    final List<ConnectionException> lost = new CopyOnWriteArrayList<>();

    @Override
    public void subscribe(Listener listener) {
        subscribers.add(listener);
    }

    @Override
    public String publish(String event) {
        int delivered = 0;
        int gone = 0;
        for (Listener l : subscribers) {
            try {
                l.echo(event);
                delivered++;
            } catch (ConnectionException e) {
                lost.add(e);
                subscribers.remove(l);
                gone++;
            }
        }
        return "delivered=" + delivered + " lost=" + gone;
    }
}
