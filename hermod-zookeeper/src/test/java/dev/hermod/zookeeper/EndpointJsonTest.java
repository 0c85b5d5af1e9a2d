package dev.hermod.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.resolve.Endpoint;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node data written by hand in another language, and zk:// targets. */
final class EndpointJsonTest {

    @Test
    void read_hostAndPortOnly_isWeightOneWithoutAttributes() {
        assertThat(EndpointJson.read("{\"host\":\"10.0.0.7\",\"port\":4061}".getBytes(UTF_8)))
                .isEqualTo(Endpoint.of("10.0.0.7", 4061));
    }

    @Test
    void read_allFields() {
        assertThat(EndpointJson.read(
                "{\"host\":\"vm1\",\"port\":4062,\"weight\":3,\"attributes\":{\"zone\":\"a\"},\"extra\":1}".getBytes(UTF_8)))
                .isEqualTo(new Endpoint("vm1", 4062, 3, Map.of("zone", "a")));
    }

    @Test
    void write_thenRead_isTheSameEndpoint() {
        Endpoint endpoint = new Endpoint("::1", 4061, 0, Map.of("version", "2"));
        assertThat(EndpointJson.read(EndpointJson.write(endpoint))).isEqualTo(endpoint);
    }

    @Test
    void read_invalidData_saysWhatIsWrong() {
        assertThatThrownBy(() -> EndpointJson.read("not json".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> EndpointJson.read("{\"host\":\"a\"}".getBytes(UTF_8)))
                .hasMessageContaining("\"port\"");
        assertThatThrownBy(() -> EndpointJson.read("{\"host\":\"a\",\"port\":70000}".getBytes(UTF_8)))
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> EndpointJson.read(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void target_withSeveralHosts_isTheConnectStringAndPath() {
        assertThat(ZooKeeperTarget.parse(URI.create("zk://zk1:2181,zk2:2181/hermod/vms")))
                .isEqualTo(new ZooKeeperTarget("zk1:2181,zk2:2181", "/hermod/vms"));
    }

    @Test
    void target_withoutPath_isRejected() {
        assertThatThrownBy(() -> new ZooKeeperResolverProvider().newResolver(URI.create("zk://zk1:2181"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zk://zk1:2181/hermod/vms");
        assertThatThrownBy(() -> ZooKeeperRegistration.at("zk://zk1:2181/"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
