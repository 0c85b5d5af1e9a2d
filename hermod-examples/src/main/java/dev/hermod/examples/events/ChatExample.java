package dev.hermod.examples.events;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A subscription with several clients: three members join a chat room, each from its own client
 * (its own connection), and every message posted reaches every member, in the same order, through
 * the listener each passed when joining.
 */
public final class ChatExample {
    private ChatExample() {}

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /** Runs the chat and returns what each member received, by name. */
    public static Map<String, List<String>> run(PrintStream out) throws Exception {
        Map<String, List<String>> transcripts = new LinkedHashMap<>();
        try (Server server = Hermod.server().host("127.0.0.1").add("room", ChatRoom.class, new ChatRoomImpl()).start()) {
            String target = "tcp://127.0.0.1:" + server.port();
            List<Client> clients = new ArrayList<>();
            Map<String, ChatRoom> rooms = new LinkedHashMap<>();
            Map<String, ChatListener> listeners = new LinkedHashMap<>();
            try {
                for (String name : List.of("alice", "bob", "carol")) {
                    Client client = Hermod.client(target);
                    clients.add(client);
                    List<String> received = new CopyOnWriteArrayList<>();
                    transcripts.put(name, received);
                    ChatListener listener = (from, text) -> received.add(from + ": " + text);
                    listeners.put(name, listener);
                    rooms.put(name, client.proxy(ChatRoom.class, "room"));
                    rooms.get(name).join(name, listener);
                }
                rooms.get("alice").post("alice", "hello, everyone");
                rooms.get("bob").post("bob", "hi alice");
                rooms.get("carol").leave(listeners.get("carol"));
                rooms.get("alice").post("alice", "carol has gone");
                awaitDelivered(transcripts);
            } finally {
                for (Client c : clients) {
                    c.close();
                }
            }
        }
        transcripts.forEach((name, lines) -> {
            out.println(name + " received " + lines.size() + " messages:");
            lines.forEach(line -> out.println("  " + line));
        });
        return transcripts;
    }

    /** Events are oneway: waits (at most 5 s) until each member has the last message meant for it. */
    private static void awaitDelivered(Map<String, List<String>> transcripts) throws InterruptedException {
        Map<String, String> last = Map.of("alice", "alice: carol has gone", "bob", "alice: carol has gone",
                "carol", "bob: hi alice");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && !last.entrySet().stream().allMatch(e -> {
            List<String> lines = transcripts.get(e.getKey());
            return !lines.isEmpty() && lines.get(lines.size() - 1).equals(e.getValue());
        })) {
            Thread.sleep(10);
        }
    }
}
