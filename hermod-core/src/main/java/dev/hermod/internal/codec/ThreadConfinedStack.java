package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.EmptyStackException;
import java.util.Stack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Stack} without its locks, for the string-reference namespaces of a CBOR parser that
 * one thread owns.
 *
 * <p>Why: Jackson's {@code CBORParser} (2.15 and later) keeps its CBOR string-reference
 * namespaces in a {@code java.util.Stack}, and asks it whether it is empty at the end of every
 * array and map and before every byte string, whether or not the input uses string references.
 * Each of those is a synchronized method: a lock and an unlock (two atomic instructions, biased
 * locking being gone) several times per message. They were 3 to 5% of the samples of every
 * thread that decodes (the I/O threads, the callback thread) in hermod-bench's
 * {@code throughput} and {@code fanout} scenarios, and a quarter of the time a list of 100
 * six-field records (7 KB) took to decode. A parser {@link Parsers} reuses belongs to one thread
 * for its whole life, and a parser made for one larger message is read by the decoding thread
 * alone until it is closed, so neither stack needs a lock: {@link #install} gives each this one.
 *
 * <p>It keeps {@link java.util.Vector}'s own fields, so every other method of the class still
 * sees the elements; only the four the parser calls ({@link #push}, {@link #pop}, {@link #peek},
 * {@link #empty}) skip the lock. Not thread-safe: for one thread's parser only.
 *
 * @param <E> the elements
 */
final class ThreadConfinedStack<E> extends Stack<E> {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ThreadConfinedStack.class);
    /** The parser's namespace stack ({@code CBORParser._stringRefs}) and that stack's own {@code Stack}; null if not found. */
    private static final Field[] FIELDS = fields();

    @Override
    public E push(E item) {
        if (elementCount == elementData.length) {
            elementData = Arrays.copyOf(elementData, Math.max(4, 2 * elementCount));
        }
        elementData[elementCount++] = item;
        return item;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E pop() {
        if (elementCount == 0) {
            throw new EmptyStackException();
        }
        E top = (E) elementData[--elementCount];
        elementData[elementCount] = null;
        return top;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E peek() {
        if (elementCount == 0) {
            throw new EmptyStackException();
        }
        return (E) elementData[elementCount - 1];
    }

    @Override
    public boolean empty() {
        return elementCount == 0;
    }

    /**
     * Gives {@code parser}, a CBOR parser only its creating thread uses, a stack without locks
     * for its string-reference namespaces. Returns whether it did: false for another parser, an
     * empty stack in use already, or a Jackson whose parser no longer keeps them that way (it then
     * works as it is, with its locks).
     */
    static boolean install(JsonParser parser) {
        if (FIELDS == null || !(parser instanceof CBORParser)) {
            return false;
        }
        try {
            Object namespaces = FIELDS[0].get(parser);
            if (namespaces == null || !((Stack<?>) FIELDS[1].get(namespaces)).isEmpty()) {
                return false;
            }
            FIELDS[1].set(namespaces, new ThreadConfinedStack<>());
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    private static Field[] fields() {
        try {
            Field namespaces = CBORParser.class.getDeclaredField("_stringRefs");
            Field stack = namespaces.getType().getDeclaredField("_stringRefs");
            if (stack.getType() != Stack.class || java.lang.reflect.Modifier.isFinal(stack.getModifiers())) {
                throw new NoSuchFieldException("CBORParser's string-reference stack is not a plain Stack field");
            }
            namespaces.setAccessible(true);
            stack.setAccessible(true);
            return new Field[] {namespaces, stack};
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A Jackson laid out otherwise, or a module layer that does not open it: parsers keep their own stacks.
            log.debug("CBOR parsers keep their synchronized string-reference stacks: {}", e.toString());
            return null;
        }
    }
}
