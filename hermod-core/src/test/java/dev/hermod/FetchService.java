package dev.hermod;

/**
 * A contract with plain synchronous signatures, whose servants in {@link AsyncServantTest} answer
 * later through its servant companion; clients call it synchronously or through
 * {@link FetchServiceAsync}.
 */
@Remote
public interface FetchService {
    /** The bytes of an item; a negative item does not exist. */
    byte[] fetch(int item) throws NoSuchItem;

    /** How many items there are. */
    int size();

    /** Thrown for an item that does not exist. */
    final class NoSuchItem extends Exception {
        private static final long serialVersionUID = 1L;

        public NoSuchItem(String message) {
            super(message);
        }
    }
}
