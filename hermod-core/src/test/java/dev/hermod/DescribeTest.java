package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.tools.ServiceDescription;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every server describes its services under the reserved name "hermod", for tools. */
final class DescribeTest {

    @Test
    void describe_listsServicesOperationsAndTypes() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1")
                        .add("employees", Employees.class, new EmployeesImpl())
                        .add("jobs", Jobs.class, new JobsImpl())
                        .start();
                Client client = TestServers.client(server)) {
            List<ServiceDescription> services = client.describe().value();
            assertThat(services).extracting(ServiceDescription::name).containsExactly("employees", "jobs");
            ServiceDescription employees = services.get(0);
            assertThat(employees.contract()).isEqualTo(Employees.class.getName());
            assertThat(employees.operations()).extracting(ServiceDescription.Operation::name)
                    .contains("getName", "rename", "names", "slowEcho").doesNotContain("greeting");
            ServiceDescription.Operation getName = employees.operations().stream()
                    .filter(o -> o.name().equals("getName")).findFirst().orElseThrow();
            assertThat(getName.parameters()).containsExactly(new ServiceDescription.Parameter("number", "int"));
            assertThat(getName.result()).isEqualTo("java.lang.String");
            assertThat(getName.exceptions()).containsExactly(NoSuchEmployee.class.getName());
            assertThat(getName.onewayCapable()).isFalse();
            ServiceDescription.Operation names = employees.operations().stream()
                    .filter(o -> o.name().equals("names")).findFirst().orElseThrow();
            assertThat(names.result()).isEqualTo("java.util.List<java.lang.String>");
            ServiceDescription.Operation later = services.get(1).operations().stream()
                    .filter(o -> o.name().equals("later")).findFirst().orElseThrow();
            assertThat(later.async()).isTrue();
            assertThat(later.result()).isEqualTo("java.lang.String");
        }
    }

    @Test
    void describe_turnedOff_failsWithServiceNotFound() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").describe(false)
                        .add("employees", Employees.class, new EmployeesImpl())
                        .start();
                Client client = TestServers.client(server)) {
            assertThatThrownBy(() -> client.describe().value()).isInstanceOf(ServiceNotFoundException.class)
                    .hasMessageContaining("does not describe its services");
            assertThat(client.proxy(Employees.class, "employees").getName(99)).isEqualTo("Ken");
        }
    }

    @Test
    void describe_byDynamicInvocation_returnsPlainData() throws Exception {
        try (Server server = TestServers.employees(); Client client = TestServers.client(server)) {
            Object described = client.invoke("hermod", "describe").value();
            assertThat(described).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .first().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("name", "employees");
            assertThat(((Map<?, ?>) ((List<?>) described).get(0)).get("operations")).isInstanceOf(List.class);
        }
    }

    @Test
    void describe_typesOfOperations_listsRecordsBeansEnumsAndReferencesWithFields() throws Exception {
        Echo echo = (Echo) java.lang.reflect.Proxy.newProxyInstance(Echo.class.getClassLoader(),
                new Class<?>[] {Echo.class}, (p, m, a) -> a[0]);
        try (Server server = Hermod.server().host("127.0.0.1")
                        .add("echo", Echo.class, echo)
                        .add("hub", Hub.class, new HubImpl())
                        .start();
                Client client = TestServers.client(server)) {
            List<ServiceDescription> services = client.describe().value();

            ServiceDescription echoService = services.get(0);
            // operations by name: bean, color, concat, ..., point, points, shape
            assertThat(echoService.types()).extracting(ServiceDescription.DataType::name).containsExactly(
                    Echo.Bean.class.getName(), Echo.Color.class.getName(), Echo.Point.class.getName(),
                    Echo.Shape.class.getName());
            assertThat(echoService.type(Echo.Point.class.getName())).hasValue(new ServiceDescription.DataType(
                    Echo.Point.class.getName(), "record", List.of(
                            new ServiceDescription.Parameter("x", "int"),
                            new ServiceDescription.Parameter("y", "int"),
                            new ServiceDescription.Parameter("label", "java.lang.String")), List.of()));
            assertThat(echoService.type(Echo.Color.class.getName()).orElseThrow().constants())
                    .containsExactly("RED", "GREEN");
            ServiceDescription.DataType bean = echoService.type(Echo.Bean.class.getName()).orElseThrow();
            assertThat(bean.kind()).isEqualTo("bean");
            assertThat(bean.fields()).containsExactly(new ServiceDescription.Parameter("name", "java.lang.String"),
                    new ServiceDescription.Parameter("size", "long"),
                    new ServiceDescription.Parameter("tags", "java.util.List<java.lang.String>"));
            ServiceDescription.DataType shape = echoService.type(Echo.Shape.class.getName()).orElseThrow();
            assertThat(shape.fields()).extracting(ServiceDescription.Parameter::type).containsExactly(
                    "java.lang.String", "java.util.List<" + Echo.Point.class.getName() + ">",
                    "java.util.Map<java.lang.String, " + Echo.Color.class.getName() + ">",
                    "java.util.Optional<" + Echo.Point.class.getName() + ">");

            ServiceDescription hub = services.get(1);
            assertThat(hub.types()).extracting(ServiceDescription.DataType::name, ServiceDescription.DataType::kind)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Listener.class.getName(), "reference"),
                            org.assertj.core.groups.Tuple.tuple(Counter.class.getName(), "reference"));
        }
    }

    @Test
    void describe_typesOverTheWire_areMapsThatOldReadersIgnore() throws Exception {
        try (Server server = TestServers.employees(); Client client = TestServers.client(server)) {
            Map<?, ?> service = (Map<?, ?>) ((List<?>) client.invoke("hermod", "describe").value()).get(0);
            assertThat(service.keySet().stream().map(String::valueOf).toList())
                    .contains("name", "contract", "operations", "types");
            // a description without types, as a server before types sends it, still reads
            assertThat(new ServiceDescription("s", "c", List.of(), null).types()).isEmpty();
        }
    }

    /** Regression (issue 18): a reference parameter given a map said "value 1 of 1 (java.lang.Long)". */
    @Test
    void invoke_mapForReferenceParameter_failsSayingItIsAReference() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("hub", Hub.class, new HubImpl()).start();
                Client client = TestServers.client(server)) {
            MarshalException e = org.assertj.core.api.Assertions.catchThrowableOfType(MarshalException.class,
                    () -> client.invoke("hub", "callBack", Map.of(), "x").value());
            assertThat(e.getMessage()).endsWith("parameter 1 (Listener listener) is an object reference:"
                    + " expected its id, an integer, but got a map");
        }
    }

    @Test
    void add_reservedName_rejected() {
        assertThatThrownBy(() -> Hermod.server().add("hermod", Employees.class, new EmployeesImpl()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }
}
