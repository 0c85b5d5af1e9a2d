package dev.hermod.zookeeper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hermod.resolve.Endpoint;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data of a server's node: {@code {"host":..., "port":..., "weight":..., "attributes":{...}}},
 * weight and attributes optional. Read as a tree, so that nothing in a node names a class.
 */
final class EndpointJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EndpointJson() {}

    static byte[] write(Endpoint endpoint) {
        ObjectNode node = JSON.createObjectNode();
        node.put("host", endpoint.host());
        node.put("port", endpoint.port());
        node.put("weight", endpoint.weight());
        ObjectNode attributes = node.putObject("attributes");
        endpoint.attributes().forEach(attributes::put);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("could not write the node data of " + endpoint.address(), e);
        }
    }

    /**
     * Reads a node's data.
     *
     * @throws IllegalArgumentException if it is not the JSON above, saying what is wrong
     */
    static Endpoint read(byte[] data) {
        JsonNode node;
        try {
            node = data == null || data.length == 0 ? null : JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"host\":..., \"port\":...}");
        }
        JsonNode host = node.get("host");
        JsonNode port = node.get("port");
        JsonNode weight = node.get("weight");
        JsonNode attributes = node.get("attributes");
        if (host == null || !host.isTextual() || port == null || !port.canConvertToInt() || !port.isIntegralNumber()) {
            throw new IllegalArgumentException("expected \"host\" (a string) and \"port\" (an integer)");
        }
        if (weight != null && !weight.isNull() && !(weight.isIntegralNumber() && weight.canConvertToInt())) {
            throw new IllegalArgumentException("\"weight\" must be an integer");
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (attributes != null && !attributes.isNull()) {
            if (!attributes.isObject()) {
                throw new IllegalArgumentException("\"attributes\" must be an object of strings");
            }
            attributes.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        }
        int w = weight == null || weight.isNull() ? 1 : weight.intValue();
        return new Endpoint(host.textValue(), port.intValue(), w, values);
    }
}
