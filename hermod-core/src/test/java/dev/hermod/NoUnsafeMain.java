package dev.hermod;

import java.lang.reflect.Proxy;
import java.util.Arrays;

/**
 * A server and a client in one JVM, for {@link NoUnsafeTest}, which starts it with Netty kept from
 * {@code sun.misc.Unsafe} (as Netty keeps itself on JDK 24 and later): makes a small call, a large
 * one and one whose request outgrows its first buffer, and prints {@code unsafe <bool>} and then
 * {@code ok <results>}; any failure ends the JVM with its stack trace and a non-zero status.
 */
final class NoUnsafeMain {
    private NoUnsafeMain() {}

    public static void main(String[] args) throws Exception {
        Echo servant = (Echo) Proxy.newProxyInstance(Echo.class.getClassLoader(), new Class<?>[] {Echo.class},
                (proxy, method, a) -> a[0]);
        try (Server server = Hermod.server().host("127.0.0.1").add("echo", Echo.class, servant).start();
                Client client = TestServers.client(server)) {
            Echo echo = client.proxy(Echo.class, "echo");
            String small = echo.string("hello");
            byte[] large = echo.blob(new byte[200_000]);
            String[] many = new String[30_000];
            Arrays.setAll(many, i -> "element-" + i);
            String[] back = echo.strings(many);
            System.out.println("unsafe " + io.netty.util.internal.PlatformDependent.hasUnsafe());
            System.out.println("ok " + small + " " + large.length + " " + back.length + " "
                    + Arrays.equals(many, back));
        }
    }
}
