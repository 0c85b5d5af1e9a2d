package dev.hermod.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The JSON the commands read and write: plain values in, readable text out. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    /** Parses one JSON value into numbers, strings, booleans, null, lists and maps. */
    static Object parse(String text) throws JsonProcessingException {
        return MAPPER.readValue(text, Object.class);
    }

    /** Parses JSON values one after another (whitespace between them), each as {@link #parse} does. */
    static java.util.List<Object> parseAll(String text) throws JsonProcessingException {
        java.util.List<Object> values = new java.util.ArrayList<>();
        // Through a parser of our own: given the text, Jackson would iterate over the items of a top-level array.
        try (com.fasterxml.jackson.core.JsonParser parser = MAPPER.getFactory().createParser(text);
                com.fasterxml.jackson.databind.MappingIterator<Object> it = MAPPER.readerFor(Object.class).readValues(parser)) {
            while (it.hasNextValue()) {
                values.add(it.nextValue());
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);   // a String source does not fail to read
        }
        return values;
    }

    /** Writes a value as JSON, indented or on one line. */
    static String write(Object value, boolean pretty) {
        try {
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value)
                    : MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the result as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
