package dev.hermod.examples.events;

import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.ObjectNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat room: it holds the members' listeners (references to objects living in the clients)
 * and sends each message to all of them as oneway calls. Posting is serialized, and oneway calls
 * over one connection arrive in the order sent, so every member sees the same sequence.
 */
public final class ChatRoomImpl implements ChatRoom {
    /** Member listeners (oneway proxies) to names. Guarded by this. */
    private final Map<ChatListener, String> members = new LinkedHashMap<>();

    @Override
    public synchronized void join(String name, ChatListener listener) {
        members.put(Hermod.oneway(listener), name);
        send("room", name + " joined");
    }

    @Override
    public synchronized void post(String from, String text) {
        send(from, text);
    }

    @Override
    public synchronized void leave(ChatListener listener) {
        ChatListener oneway = Hermod.oneway(listener);
        String name = members.remove(oneway);
        if (name != null) {
            Hermod.release(oneway);
            send("room", name + " left");
        }
    }

    /** Guarded by this. */
    private void send(String from, String text) {
        for (ChatListener member : List.copyOf(members.keySet())) {
            try {
                member.message(from, text);
            } catch (ConnectionException | ObjectNotFoundException gone) {
                members.remove(member); // its client has gone
            }
        }
    }
}
