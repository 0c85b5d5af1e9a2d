package dev.hermod.internal.runtime;

import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Interceptor;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.internal.dispatch.Dispatch;
import dev.hermod.internal.invocation.Peer;
import java.util.ArrayList;
import java.util.List;

/** Hands what was registered with {@code intercept(...)} to the calls made and served on one side. */
final class Interceptors {
    private Interceptors() {}

    /** Gives {@code peer} the client side and {@code dispatch} the server side of {@code registered}, in order. */
    static void install(List<Interceptor> registered, Peer peer, Dispatch dispatch) {
        install(registered, peer, dispatch, null);
    }

    /** As {@link #install(List, Peer, Dispatch)}, and binds each interceptor to {@code vitals} (unless null). */
    static void install(List<Interceptor> registered, Peer peer, Dispatch dispatch, dev.hermod.intercept.Vitals vitals) {
        List<ClientInterceptor> making = new ArrayList<>();
        List<ServerInterceptor> serving = new ArrayList<>();
        for (Interceptor i : registered) {
            if (i instanceof ClientInterceptor c) {
                making.add(c);
            }
            if (i instanceof ServerInterceptor s) {
                serving.add(s);
            }
        }
        peer.intercept(making);
        dispatch.intercept(serving);
        if (vitals != null) {
            for (Interceptor i : registered) {
                i.bind(vitals);
            }
        }
    }
}
