package dev.hermod;

import java.io.IOException;
import java.io.InputStream;

/**
 * A class loader for tests that defines the classes whose names start with a prefix itself, from
 * its parent's class files, and takes everything else from the parent: the same contract as a
 * second {@code Class}, as another application in one JVM would have it.
 */
public final class ChildFirstLoader extends ClassLoader {
    private final String prefix;

    /** Defines the classes named {@code prefix...} itself. */
    public ChildFirstLoader(String name, String prefix, ClassLoader parent) {
        super(name, parent);
        this.prefix = prefix;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(prefix)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                String resource = name.replace('.', '/') + ".class";
                try (InputStream in = getParent().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] bytes = in.readAllBytes();
                    c = defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            return c;
        }
    }
}
