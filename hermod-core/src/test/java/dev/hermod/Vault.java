package dev.hermod;

/** A contract for the security tests: who am I, and a read and a write to authorize apart. */
@Remote
public interface Vault {
    /** The caller's principal name as the servant sees it, or "anonymous". */
    String whoAmI();

    String read(String key);

    void write(String key, String value);

    /** The servant behind it. */
    final class Impl implements Vault {
        private final java.util.Map<String, String> values = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public String whoAmI() {
            return Current.get().principal().map(java.security.Principal::getName).orElse("anonymous");
        }

        @Override
        public String read(String key) {
            return values.getOrDefault(key, "");
        }

        @Override
        public void write(String key, String value) {
            values.put(key, value);
        }
    }
}
