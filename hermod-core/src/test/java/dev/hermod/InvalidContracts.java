package dev.hermod;

import java.io.Serializable;
import java.util.List;

/** Contracts Hermod must refuse, each for one reason. */
final class InvalidContracts {
    private InvalidContracts() {}

    @Remote
    public interface Overloaded {
        String find(int id);

        String find(String name);
    }

    @Remote
    public interface ObjectParameter {
        void put(String key, Object value);
    }

    @Remote
    public interface WildcardResult {
        List<?> all();
    }

    @Remote
    public interface GenericMethod {
        <T> T get(String key);
    }

    @Remote
    public interface TooBroadException {
        void run() throws Exception;
    }

    @Remote
    public interface UnbuildableException {
        void run() throws NoUsableConstructor;
    }

    @Remote
    public interface InterfaceParameter {
        void keep(Serializable value);
    }

    public interface NotAnnotated {
        void run();
    }

    /** Hermod cannot rebuild this exception: no (String) or no-argument constructor. */
    public static final class NoUsableConstructor extends Exception {
        private static final long serialVersionUID = 1L;

        public NoUsableConstructor(int code, long when) {
            super("code " + code);
        }
    }
}
