package dev.hermod;

/** A contract whose values are mutable objects, to tell a copy from the object itself. */
@Remote
public interface Shelf {

    /** Keeps the item and returns it. */
    Item put(Item item);

    /** The item kept last, or null. */
    Item last();

    /** Fails with the declared exception, naming the item. */
    Item refuse(Item item) throws NoSuchEmployee;

    /** A mutable bean; {@code next} may point back to the item itself, which the codec cannot carry. */
    final class Item {
        private String name;
        private Item next;

        public Item() {}

        public Item(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public Item getNext() {
            return next;
        }

        public void setNext(Item next) {
            this.next = next;
        }
    }
}
